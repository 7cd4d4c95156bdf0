// Package sandboxtest holds what the sandbox packages' tests share: helpers for reading the JSON answers of the
// emulated APIs. Only test files import it.
package sandboxtest

import (
	"slices"
	"testing"
)

// As returns v as a T, failing the test (instead of panicking) when v holds another type.
func As[T any](t testing.TB, v any) T {
	t.Helper()
	x, ok := v.(T)
	if !ok {
		t.Fatalf("got %T %v, want %T", v, v, x)
	}
	return x
}

// AllBut returns list without drop: the scopes or permissions of a token that lacks exactly one.
func AllBut(list []string, drop string) []string {
	return slices.DeleteFunc(slices.Clone(list), func(s string) bool { return s == drop })
}
