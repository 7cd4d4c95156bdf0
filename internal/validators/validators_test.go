package validators_test

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/validators"
)

func run(v validator.String, value types.String) string {
	req := validator.StringRequest{Path: path.Root("x"), ConfigValue: value}
	var resp validator.StringResponse
	v.ValidateString(context.Background(), req, &resp)
	if !resp.Diagnostics.HasError() {
		return ""
	}
	return resp.Diagnostics[0].Summary() + ": " + resp.Diagnostics[0].Detail()
}

func TestGUID(t *testing.T) {
	v := validators.GUID("the source")
	for _, ok := range []string{validators.ExampleGUID, "8E881353-1735-45AF-AF21-EE1344582A4D", "00000000-0000-0000-0000-000000000000"} {
		if msg := run(v, types.StringValue(ok)); msg != "" {
			t.Errorf("%q rejected: %s", ok, msg)
		}
	}
	for _, skip := range []types.String{types.StringNull(), types.StringUnknown()} {
		if msg := run(v, skip); msg != "" {
			t.Errorf("%v: %s", skip, msg)
		}
	}
	for in, want := range map[string]string{
		"":                                       `x = "" is not a GUID`,
		"alice@corp.example":                     `x = "alice@corp.example" is not a GUID: Entra object ids are 32 hexadecimal digits in groups of 8-4-4-4-12`,
		"8e881353-1735-45af-af21-ee1344582a4":    `is not a GUID`,
		"8e881353-1735-45af-af21-ee1344582a4g":   `is not a GUID`,
		" 8e881353-1735-45af-af21-ee1344582a4d":  "leading or trailing spaces",
		"{8e881353-1735-45af-af21-ee1344582a4d}": "without the braces: 8e881353-1735-45af-af21-ee1344582a4d.",
		"8e881353173545afaf21ee1344582a4d":       "with dashes: 8e881353-1735-45af-af21-ee1344582a4d.",
		validators.ExampleJobID:                  "That is a provisioning job id",
	} {
		msg := run(v, types.StringValue(in))
		if !strings.HasPrefix(msg, "Invalid GUID: ") || !strings.Contains(msg, want) || !strings.HasSuffix(msg, "Take it from the source.") {
			t.Errorf("%q: message %q, want it to contain %q and say where to take the value from", in, msg, want)
		}
	}
}

func TestSynchronizationJobID(t *testing.T) {
	v := validators.SynchronizationJobID("the source")
	for _, ok := range []string{
		validators.ExampleJobID,
		"aWSSingleSignon.ff8bf889e03141ac8f7baedb059892ee.bfc8712e-0986-4d47-896b-6872713598c6",
		"customappssoOutDelta.3b92c35ead604f02b0a092e99c9991b0.d2569c8c-0986-4d47-896b-6872713598c6",
	} {
		if msg := run(v, types.StringValue(ok)); msg != "" {
			t.Errorf("%q rejected: %s", ok, msg)
		}
		if !validators.IsSynchronizationJobID(ok) {
			t.Errorf("IsSynchronizationJobID(%q) = false", ok)
		}
	}
	if msg := run(v, types.StringUnknown()); msg != "" {
		t.Errorf("unknown value: %s", msg)
	}
	for in, want := range map[string]string{
		"scim":                        "That is the job's template id",
		validators.ExampleGUID:        "That is a GUID",
		validators.ExampleJobID + " ": "leading or trailing spaces",
		"scim.7868462e3eae47bb9d58896e03ce6c4.bfc8712e-0986-4d47-896b-6872713598c6":  "is not a provisioning job id",
		"scim.7868462e3eae47bb9d58896e03ce6c43.missing":                              "is not a provisioning job id",
		".7868462e3eae47bb9d58896e03ce6c43.bfc8712e-0986-4d47-896b-6872713598c6":     "is not a provisioning job id",
		"scim-7868462e3eae47bb9d58896e03ce6c43-bfc8712e-0986-4d47-896b-6872713598c6": "is not a provisioning job id",
	} {
		msg := run(v, types.StringValue(in))
		if !strings.HasPrefix(msg, "Invalid provisioning job id: x = \""+in+"\" is not a provisioning job id") ||
			!strings.Contains(msg, want) || !strings.Contains(msg, validators.ExampleJobID) || !strings.Contains(msg, "Take it from the source") {
			t.Errorf("%q: message %q, want it to name the value, contain %q, give an example and say where to take the value from", in, msg, want)
		}
	}
}
