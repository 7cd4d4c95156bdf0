package scimtoken

import (
	"strconv"
	"sync/atomic"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/auth0client"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/auth0client/validate"
)

// now is the clock rotation is judged by; tests move it (export_test.go).
var now atomic.Pointer[func() time.Time]

func clock() time.Time {
	if f := now.Load(); f != nil {
		return (*f)()
	}
	return time.Now()
}

func known(v attr.Value) bool { return !v.IsNull() && !v.IsUnknown() }

func optionalString(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}

func findToken(toks []auth0client.SCIMToken, id string) *auth0client.SCIMToken {
	for i := range toks {
		if toks[i].TokenID == id {
			return &toks[i]
		}
	}
	return nil
}

// active reports whether a token counts against the two-token limit: it has not expired.
func active(t auth0client.SCIMToken, at time.Time) bool {
	if t.ValidUntil == "" {
		return true
	}
	until, err := time.Parse(time.RFC3339Nano, t.ValidUntil)
	return err != nil || at.Before(until)
}

// lifetimeOf works out an imported token's lifetime from its validity, in its largest whole unit.
func lifetimeOf(t auth0client.SCIMToken) types.String {
	if t.ValidUntil == "" {
		return types.StringNull()
	}
	created, err1 := time.Parse(time.RFC3339Nano, t.CreatedAt)
	until, err2 := time.Parse(time.RFC3339Nano, t.ValidUntil)
	if err1 != nil || err2 != nil || !until.After(created) {
		return types.StringNull()
	}
	return types.StringValue(validate.FormatDuration(until.Sub(created).Round(time.Second)))
}

func unquote(b []byte) string {
	s, err := strconv.Unquote(string(b))
	if err != nil {
		return ""
	}
	return s
}
