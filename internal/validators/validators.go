// Package validators holds plan-time validators for Microsoft Entra identifiers that several resources, data sources
// and actions take: object ids (GUIDs) and provisioning job ids. Auth0 identifiers are validated by
// internal/auth0client/validate. Every message names the attribute, the bad value and the fix.
package validators

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

const guid = `[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}`

var (
	guidPattern = regexp.MustCompile(`^` + guid + `$`)
	// A synchronization job id is <templateId>.<tenant id without dashes>.<appId>, e.g.
	// scim.7868462e3eae47bb9d58896e03ce6c43.bfc8712e-0986-4d47-896b-6872713598c6 (microsoft-graph.md §5.4). Template
	// ids seen are letters and digits (scim, customappssoOutDelta, aWSSingleSignon); _ and - are let through
	// so that a template id not seen yet is not refused at plan.
	jobIDPattern = regexp.MustCompile(`^[A-Za-z0-9_-]+\.[0-9a-fA-F]{32}\.` + guid + `$`)
	bareHex      = regexp.MustCompile(`^[0-9a-fA-F]{32}$`)
)

// Examples used in messages.
const (
	ExampleGUID  = "8e881353-1735-45af-af21-ee1344582a4d"
	ExampleJobID = "scim.7868462e3eae47bb9d58896e03ce6c43.bfc8712e-0986-4d47-896b-6872713598c6"
)

// IsGUID reports whether s is a GUID written the way Graph writes object ids: 8-4-4-4-12 hexadecimal digits.
func IsGUID(s string) bool { return guidPattern.MatchString(s) }

// IsSynchronizationJobID reports whether s has the form of a provisioning (synchronization) job id:
// "<template>.<32 hexadecimal digits>.<GUID>".
func IsSynchronizationJobID(s string) bool { return jobIDPattern.MatchString(s) }

// GUID checks that a string is an Entra object id. source tells the user where to take the value from, e.g.
// "auth0entra_enterprise_app.<name>.service_principal_id".
func GUID(source string) validator.String { return guidValidator{source: source} }

type guidValidator struct{ source string }

func (guidValidator) Description(context.Context) string {
	return "must be a GUID (8-4-4-4-12 hexadecimal digits), e.g. " + ExampleGUID
}

func (v guidValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v guidValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	s := req.ConfigValue.ValueString()
	if IsGUID(s) {
		return
	}
	hint := ""
	trimmed := strings.TrimSpace(s)
	switch {
	case trimmed != s:
		hint = " It has leading or trailing spaces."
	case strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}") && IsGUID(s[1:len(s)-1]):
		hint = " Write it without the braces: " + s[1:len(s)-1] + "."
	case bareHex.MatchString(s):
		hint = fmt.Sprintf(" Write it with dashes: %s-%s-%s-%s-%s.", s[0:8], s[8:12], s[12:16], s[16:20], s[20:])
	case IsSynchronizationJobID(s):
		hint = " That is a provisioning job id, not an object id."
	}
	resp.Diagnostics.AddAttributeError(req.Path, "Invalid GUID",
		fmt.Sprintf("%s = %q is not a GUID: Entra object ids are 32 hexadecimal digits in groups of 8-4-4-4-12, e.g. %s.%s Take it from %s.",
			req.Path, s, ExampleGUID, hint, v.source))
}

// SynchronizationJobID checks that a string has the form of a provisioning job id. source tells the user where to
// take the value from, e.g. "auth0entra_enterprise_app.<name>.job_id".
func SynchronizationJobID(source string) validator.String { return jobIDValidator{source: source} }

type jobIDValidator struct{ source string }

func (jobIDValidator) Description(context.Context) string {
	return `must be a provisioning job id, "<template>.<32 hexadecimal digits>.<GUID>", e.g. ` + ExampleJobID
}

func (v jobIDValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v jobIDValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	s := req.ConfigValue.ValueString()
	if IsSynchronizationJobID(s) {
		return
	}
	hint := ""
	switch {
	case strings.TrimSpace(s) != s:
		hint = " It has leading or trailing spaces."
	case IsGUID(s):
		hint = " That is a GUID (an object or application id), not a job id."
	case s == "scim" || s == "customappsso":
		hint = " That is the job's template id; the job id starts with it."
	}
	resp.Diagnostics.AddAttributeError(req.Path, "Invalid provisioning job id",
		fmt.Sprintf("%s = %q is not a provisioning job id: Entra job ids are \"<template>.<tenant id as 32 hexadecimal digits>.<application id>\", "+
			"e.g. %s.%s Take it from %s, or list the jobs with GET /servicePrincipals/{id}/synchronization/jobs.",
			req.Path, s, ExampleJobID, hint, v.source))
}
