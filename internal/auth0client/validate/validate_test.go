package validate_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/auth0client/validate"
)

func run(v validator.String, value string) string {
	req := validator.StringRequest{Path: path.Root("x"), ConfigValue: types.StringValue(value)}
	var resp validator.StringResponse
	v.ValidateString(context.Background(), req, &resp)
	if !resp.Diagnostics.HasError() {
		return ""
	}
	return resp.Diagnostics[0].Summary() + ": " + resp.Diagnostics[0].Detail()
}

func TestConnectionID(t *testing.T) {
	if msg := run(validate.ConnectionID(), "con_AbCdEfGh12345678"); msg != "" {
		t.Errorf("valid id rejected: %s", msg)
	}
	for in, want := range map[string]string{
		"entra-corp":            "Connection names are not ids",
		" con_AbCdEfGh12345678": "leading or trailing spaces",
		"con_short":             `x = "con_short" is not an Auth0 connection id`,
	} {
		if msg := run(validate.ConnectionID(), in); !strings.Contains(msg, want) {
			t.Errorf("%q: message %q lacks %q", in, msg, want)
		}
	}
}

func TestSCIMScope(t *testing.T) {
	if msg := run(validate.SCIMScope(), "patch:groups"); msg != "" {
		t.Errorf("valid scope rejected: %s", msg)
	}
	if msg := run(validate.SCIMScope(), "GET:Users"); !strings.Contains(msg, `Did you mean "get:users"`) {
		t.Errorf("message = %q", msg)
	}
}

func TestDurations(t *testing.T) {
	v := validate.DurationLongerThan(900*time.Second, "why")
	for in, want := range map[string]string{
		"901s":  "",
		"8760h": "",
		"900s":  `x = "900s" is 15m0s (900 seconds); why. Use a longer duration, e.g. "901s"`,
		"1d":    `"1d" is not a duration`,
		"1.5s":  "not a whole number of seconds",
	} {
		msg := run(v, in)
		if (want == "") != (msg == "") || !strings.Contains(msg, want) {
			t.Errorf("%q: message %q, want %q", in, msg, want)
		}
	}
	for d, want := range map[time.Duration]string{8760 * time.Hour: "8760h", 90 * time.Minute: "90m", 901 * time.Second: "901s", 0: "0s"} {
		if got := validate.FormatDuration(d); got != want {
			t.Errorf("FormatDuration(%s) = %q, want %q", d, got, want)
		}
	}
}
