package validate_test

import (
	"context"
	"regexp"
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

func TestSCIMTokenID(t *testing.T) {
	if msg := run(validate.SCIMTokenID(), "tok_AbCdEfGh12345678"); msg != "" {
		t.Errorf("valid id rejected: %s", msg)
	}
	const secret = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	for in, want := range map[string]string{
		"tok_short":                      `x = "tok_short" is not an Auth0 SCIM token id: it must be "tok_" followed by 16 letters or digits`,
		"tok_AbCdEfGh1234567!":           `x = "tok_AbCdEfGh1234567!" is not`,
		"tok_AbCdEfGh12345678 ":          "leading or trailing spaces",
		"con_AbCdEfGh12345678":           "That is a connection id",
		"":                               `x = "" is not an Auth0 SCIM token id`,
		"tok_AbCdEfGh12345678." + secret: `x = "tok_AbCdEfGh12345678." followed by a secret \(not shown\) is not an Auth0 SCIM token id.*use tok_AbCdEfGh12345678`,
	} {
		msg := run(validate.SCIMTokenID(), in)
		if ok, _ := regexp.MatchString(want, msg); !ok {
			t.Errorf("%q: message %q does not match %q", in, msg, want)
		}
		if !strings.Contains(msg, "auth0entra_scim_token.<name>.token_id") {
			t.Errorf("%q: message %q does not say where to take the id from", in, msg)
		}
		if strings.Contains(msg, secret) {
			t.Errorf("%q: the message echoes the token's secret: %q", in, msg)
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

func TestDurationUpperBoundAndOverflow(t *testing.T) {
	v := validate.DurationAtMost(876000*time.Hour, "use at most 100 years or leave it out")
	long := strings.Repeat("9", 5000) + "h"
	for in, want := range map[string]string{
		"8760h":    "",
		"876000h":  "",
		"2562047h": `x = "2562047h" is longer than 876000h; use at most 100 years or leave it out`,
	} {
		msg := run(v, in)
		if (want == "") != (msg == "") || !strings.Contains(msg, want) {
			t.Errorf("%q: message %q, want %q", in, msg, want)
		}
	}
	// Beyond Go's own limit the value is reported as too long, cut to a readable length.
	msg := run(validate.DurationLongerThan(900*time.Second, "why"), long)
	if !strings.Contains(msg, "too long to be a duration") || len(msg) > 300 {
		t.Errorf("overflowing value: message %q (%d characters)", msg, len(msg))
	}
}
