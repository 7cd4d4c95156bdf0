// Package validate holds the plan-time validators the Auth0 resources share. Every message names the attribute,
// the bad value and the fix.
package validate

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/auth0client"
)

// ConnectionID checks that a string has the form of an Auth0 connection id.
func ConnectionID() validator.String { return connectionID{} }

type connectionID struct{}

func (connectionID) Description(context.Context) string {
	return `must be an Auth0 connection id: "con_" followed by 16 letters or digits`
}

func (v connectionID) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (connectionID) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	id := req.ConfigValue.ValueString()
	if auth0client.IsConnectionID(id) {
		return
	}
	hint := ""
	switch {
	case strings.TrimSpace(id) != id:
		hint = " It has leading or trailing spaces."
	case !strings.HasPrefix(id, "con_"):
		hint = " Connection names are not ids."
	}
	resp.Diagnostics.AddAttributeError(req.Path, "Invalid Auth0 connection id",
		fmt.Sprintf("%s = %q is not an Auth0 connection id: it must be \"con_\" followed by 16 letters or digits, e.g. con_AbCdEfGh12345678.%s "+
			"Copy the id from the connection's page in the Auth0 Dashboard (Authentication > Enterprise > Microsoft Azure AD).", req.Path, id, hint))
}

// SCIMTokenID checks that a string has the form of an Auth0 SCIM token id.
func SCIMTokenID() validator.String { return scimTokenID{} }

type scimTokenID struct{}

func (scimTokenID) Description(context.Context) string {
	return `must be an Auth0 SCIM token id: "tok_" followed by 16 letters or digits`
}

func (v scimTokenID) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (scimTokenID) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	id := req.ConfigValue.ValueString()
	if auth0client.IsSCIMTokenID(id) {
		return
	}
	shown, hint := fmt.Sprintf("%q", id), ""
	switch prefix, _, isSecret := strings.Cut(id, "."); {
	case isSecret && auth0client.IsSCIMTokenID(prefix):
		// A token's secret is "<token id>.<secret>": name the id, never echo the secret.
		shown = fmt.Sprintf("%q followed by a secret (not shown)", prefix+".")
		hint = fmt.Sprintf(" This is the token's secret (the token attribute), not its id: use %s.", prefix)
	case strings.TrimSpace(id) != id:
		hint = " It has leading or trailing spaces."
	case strings.HasPrefix(id, "con_"):
		hint = " That is a connection id; the token id is a separate value."
	}
	resp.Diagnostics.AddAttributeError(req.Path, "Invalid Auth0 SCIM token id",
		fmt.Sprintf("%s = %s is not an Auth0 SCIM token id: it must be \"tok_\" followed by 16 letters or digits, e.g. tok_AbCdEfGh12345678.%s "+
			"Take it from the token resource (auth0entra_scim_token.<name>.token_id), or copy it from the connection's Provisioning tab in the Auth0 Dashboard.", req.Path, shown, hint))
}

// SCIMScope checks that a string is one of the SCIM token scopes Auth0 accepts.
func SCIMScope() validator.String { return scimScope{} }

type scimScope struct{}

func (scimScope) Description(context.Context) string {
	return "must be one of " + strings.Join(auth0client.SCIMTokenScopes, ", ")
}

func (v scimScope) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (scimScope) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	s := req.ConfigValue.ValueString()
	for _, ok := range auth0client.SCIMTokenScopes {
		if s == ok {
			return
		}
	}
	suggestion := ""
	for _, ok := range auth0client.SCIMTokenScopes {
		if strings.EqualFold(strings.TrimSpace(s), ok) || strings.EqualFold(strings.TrimSpace(s)+"s", ok) {
			suggestion = fmt.Sprintf(" Did you mean %q?", ok)
			break
		}
	}
	resp.Diagnostics.AddAttributeError(req.Path, "Invalid SCIM token scope",
		fmt.Sprintf("%q is not a scope Auth0 grants to SCIM tokens.%s Use scopes from: %s.", s, suggestion, strings.Join(auth0client.SCIMTokenScopes, ", ")))
}

// ParseDuration parses a Go duration string ("8760h", "90m", "901s") that must be a whole number of seconds.
func ParseDuration(s string) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if err != nil && overflowPattern.MatchString(strings.TrimSpace(s)) {
		return 0, fmt.Errorf("%q is too long to be a duration (the longest is about 2562047h, 292 years)", cut(s))
	}
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration: write a number and a unit, e.g. \"8760h\", \"30m\" or \"901s\" (units h, m, s; no days)", cut(s))
	}
	if d%time.Second != 0 {
		return 0, fmt.Errorf("%q is not a whole number of seconds: write it in seconds, e.g. \"901s\"", cut(s))
	}
	return d, nil
}

// overflowPattern matches what time.ParseDuration rejects only for its size.
var overflowPattern = regexp.MustCompile(`^\d+(\.\d+)?(h|m|s|ms|us|µs|ns)$`)

// cut shortens a value quoted in a message to a readable length.
func cut(s string) string {
	const maxLen = 80
	if len(s) <= maxLen {
		return s
	}
	return s[:maxLen] + "…"
}

// DurationAtMost checks a duration string (ParseDuration) that must be at most limit; why explains the bound and
// says what to do instead.
func DurationAtMost(limit time.Duration, why string) validator.String {
	return durationAtMost{max: limit, why: why}
}

type durationAtMost struct {
	max time.Duration
	why string
}

func (v durationAtMost) Description(context.Context) string {
	return fmt.Sprintf("must be a duration of at most %s", FormatDuration(v.max))
}

func (v durationAtMost) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v durationAtMost) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	s := req.ConfigValue.ValueString()
	if d, err := ParseDuration(s); err == nil && d > v.max {
		resp.Diagnostics.AddAttributeError(req.Path, "Duration too long",
			fmt.Sprintf("%s = %q is longer than %s; %s.", req.Path, cut(s), FormatDuration(v.max), v.why))
	}
}

// FormatDuration writes d in its largest whole unit: 8760h, 90m, 901s.
func FormatDuration(d time.Duration) string {
	switch {
	case d != 0 && d%time.Hour == 0:
		return fmt.Sprintf("%dh", d/time.Hour)
	case d != 0 && d%time.Minute == 0:
		return fmt.Sprintf("%dm", d/time.Minute)
	default:
		return fmt.Sprintf("%ds", d/time.Second)
	}
}

// DurationLongerThan checks a duration string (ParseDuration) that must be longer than limit. why explains the
// bound in the error message.
func DurationLongerThan(limit time.Duration, why string) validator.String {
	return durationLongerThan{min: limit, why: why}
}

type durationLongerThan struct {
	min time.Duration
	why string
}

func (v durationLongerThan) Description(context.Context) string {
	return fmt.Sprintf("must be a duration such as \"8760h\", longer than %s", v.min)
}

func (v durationLongerThan) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (v durationLongerThan) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	s := req.ConfigValue.ValueString()
	d, err := ParseDuration(s)
	if err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid duration", fmt.Sprintf("%s: %s.", req.Path, err))
		return
	}
	if d <= v.min {
		resp.Diagnostics.AddAttributeError(req.Path, "Duration too short",
			fmt.Sprintf("%s = %q is %s (%d seconds); %s. Use a longer duration, e.g. %q.",
				req.Path, s, d, int64(d/time.Second), v.why, FormatDuration(v.min+time.Second)))
	}
}

// NotEmpty rejects an empty string; fix says what to write instead, e.g. `write a SCIM attribute such as "userName"`.
func NotEmpty(fix string) validator.String { return notEmpty{fix: fix} }

type notEmpty struct{ fix string }

func (v notEmpty) Description(context.Context) string             { return "must not be empty" }
func (v notEmpty) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v notEmpty) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() || req.ConfigValue.ValueString() != "" {
		return
	}
	resp.Diagnostics.AddAttributeError(req.Path, "Empty value", fmt.Sprintf("%s is empty: %s.", req.Path, v.fix))
}

// SetNotEmpty rejects an empty set; fix says what to do instead.
func SetNotEmpty(fix string) validator.Set { return setNotEmpty{fix: fix} }

type setNotEmpty struct{ fix string }

func (v setNotEmpty) Description(context.Context) string             { return "must not be empty" }
func (v setNotEmpty) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v setNotEmpty) ValidateSet(_ context.Context, req validator.SetRequest, resp *validator.SetResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() || len(req.ConfigValue.Elements()) > 0 {
		return
	}
	resp.Diagnostics.AddAttributeError(req.Path, "Empty set", fmt.Sprintf("%s = []: %s.", req.Path, v.fix))
}

// OneOf accepts only the given values; the message names the bad value (cut) and lists the accepted ones, with
// what each means when meanings is given (same order).
func OneOf(values []string, meanings []string) validator.String {
	return oneOf{values: values, meanings: meanings}
}

type oneOf struct{ values, meanings []string }

func (v oneOf) Description(context.Context) string {
	return "one of " + strings.Join(quoteEach(v.values), ", ")
}
func (v oneOf) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v oneOf) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	s := req.ConfigValue.ValueString()
	for _, ok := range v.values {
		if s == ok {
			return
		}
	}
	choices := quoteEach(v.values)
	for i := range choices {
		if i < len(v.meanings) {
			choices[i] += " (" + v.meanings[i] + ")"
		}
	}
	resp.Diagnostics.AddAttributeError(req.Path, "Invalid value",
		fmt.Sprintf("%s = %q is not a value this setting takes. Write one of: %s.", req.Path, cut(s), strings.Join(choices, ", ")))
}

func quoteEach(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = fmt.Sprintf("%q", s)
	}
	return out
}
