package validate

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

func run(v validator.String, attr string, value types.String) (string, string) {
	resp := &validator.StringResponse{}
	v.ValidateString(context.Background(), validator.StringRequest{Path: path.Root(attr), ConfigValue: value}, resp)
	if !resp.Diagnostics.HasError() {
		return "", ""
	}
	return resp.Diagnostics[0].Summary(), resp.Diagnostics[0].Detail()
}

func TestGUID(t *testing.T) {
	for _, ok := range []types.String{
		types.StringValue("0b2e3f4a-1c2d-4e5f-8a9b-0c1d2e3f4a5b"), types.StringValue("0B2E3F4A-1C2D-4E5F-8A9B-0C1D2E3F4A5B"),
		types.StringNull(), types.StringUnknown(),
	} {
		if s, d := run(GUID(""), "oidc_client_id", ok); s != "" {
			t.Errorf("%s: %s: %s", ok, s, d)
		}
	}
	for _, bad := range []string{"", "not-a-guid", "0b2e3f4a1c2d4e5f8a9b0c1d2e3f4a5b", "{0b2e3f4a-1c2d-4e5f-8a9b-0c1d2e3f4a5b}", "0b2e3f4a-1c2d-4e5f-8a9b-0c1d2e3f4a5g"} {
		s, d := run(GUID("Use auth0entra_enterprise_app.x.service_principal_id"), "service_principal_id", types.StringValue(bad))
		if s != "Not an object id" || !strings.Contains(d, "service_principal_id is \""+bad+"\"") || !strings.Contains(d, "auth0entra_enterprise_app.x.service_principal_id") {
			t.Errorf("%q: %s: %s", bad, s, d)
		}
	}
}

func TestJobID(t *testing.T) {
	for _, ok := range []string{
		"scim.0123456789abcdef0123456789abcdef.11111111-2222-3333-4444-555555555555",
		// Real ids from the reference (§5.4).
		"aWSSingleSignon.ff8bf889e03141ac8f7baedb059892ee.bfc8712e-0986-4d47-896b-6872713598c6",
		"dataBricks.f5532fc709734b1a90e8a1fa9fd03a82.8442fd39-2183-419c-8732-74b6ce866bd5",
		"customappsso.3b92c35ead604f02b0a092e99c9991b0.d2569c8c-0986-4d47-896b-6872713598c6",
	} {
		if s, d := run(JobID(), "job_id", types.StringValue(ok)); s != "" {
			t.Errorf("%s: %s: %s", ok, s, d)
		}
	}
	for _, bad := range []string{
		"", "scim", "1234", "scim.0123456789abcdef0123456789abcdef",
		"scim.0123-4567-89ab-cdef-0123456789abcdef.11111111-2222-3333-4444-555555555555",
		"scim.0123456789abcdef0123456789abcdef.11111111222233334444555555555555",
		"0b2e3f4a-1c2d-4e5f-8a9b-0c1d2e3f4a5b",
		" scim.0123456789abcdef0123456789abcdef.11111111-2222-3333-4444-555555555555",
	} {
		s, d := run(JobID(), "job_id", types.StringValue(bad))
		if s != "Not a provisioning job id" || !strings.Contains(d, "job_id is \""+bad+"\"") || !strings.Contains(d, "auth0entra_enterprise_app.x.job_id") {
			t.Errorf("%q: %s: %s", bad, s, d)
		}
	}
	if s, _ := run(JobID(), "job_id", types.StringUnknown()); s != "" {
		t.Error("unknown job id rejected")
	}
}
