package validators_test

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/provider"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/validators"
)

// These tests check that the provider's schemas use the validators: they send configurations with bad ids through
// the plugin protocol's validation calls, as Terraform does at plan, without any API.

const (
	goodSP    = "8e881353-1735-45af-af21-ee1344582a4d"
	goodConn  = "con_AbCdEfGh12345678"
	goodToken = "tok_AbCdEfGh12345678"
)

// actionServer is a provider server that also serves actions (tfprotov6.ProviderServerWithActions, which is
// deprecated in favour of this union).
type actionServer interface {
	tfprotov6.ProviderServer
	tfprotov6.ActionServer
}

func server(t *testing.T) (actionServer, *tfprotov6.GetProviderSchemaResponse) {
	t.Helper()
	ps, err := providerserver.NewProtocol6WithError(provider.New("test")())()
	if err != nil {
		t.Fatal(err)
	}
	srv, ok := ps.(actionServer)
	if !ok {
		t.Fatalf("the provider server %T does not serve actions", ps)
	}
	schemas, err := srv.GetProviderSchema(context.Background(), &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	return srv, schemas
}

// config builds a configuration of schema type typ with the given string arguments; the others are null.
func config(t *testing.T, typ tftypes.Type, args map[string]string) *tfprotov6.DynamicValue {
	t.Helper()
	obj, ok := typ.(tftypes.Object)
	if !ok {
		t.Fatalf("schema type %T is not an object", typ)
	}
	vals := map[string]tftypes.Value{}
	for name, at := range obj.AttributeTypes {
		vals[name] = tftypes.NewValue(at, nil)
	}
	for k, v := range args {
		if _, ok := obj.AttributeTypes[k]; !ok {
			t.Fatalf("the schema has no attribute %q", k)
		}
		vals[k] = tftypes.NewValue(tftypes.String, v)
	}
	dv, err := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, vals))
	if err != nil {
		t.Fatal(err)
	}
	return &dv
}

func errorsOf(diags []*tfprotov6.Diagnostic) []string {
	var out []string
	for _, d := range diags {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			out = append(out, d.Summary+": "+d.Detail)
		}
	}
	return out
}

// with returns base with one argument replaced.
func with(base map[string]string, k, v string) map[string]string {
	out := map[string]string{}
	for a, b := range base {
		out[a] = b
	}
	out[k] = v
	return out
}

func TestProvisioningStatusValidatesIDsAtPlan(t *testing.T) {
	srv, schemas := server(t)
	const ds = "auth0entra_provisioning_status"
	s, ok := schemas.DataSourceSchemas[ds]
	if !ok {
		t.Fatalf("no %s data source", ds)
	}
	typ := s.ValueType()
	good := map[string]string{"service_principal_id": goodSP, "job_id": validators.ExampleJobID, "connection_id": goodConn, "token_id": goodToken}
	validate := func(args map[string]string) []string {
		resp, err := srv.ValidateDataResourceConfig(context.Background(), &tfprotov6.ValidateDataResourceConfigRequest{TypeName: ds, Config: config(t, typ, args)})
		if err != nil {
			t.Fatal(err)
		}
		return errorsOf(resp.Diagnostics)
	}
	if errs := validate(good); len(errs) != 0 {
		t.Fatalf("valid configuration refused: %v", errs)
	}
	for _, c := range []struct{ attr, value, want string }{
		{"service_principal_id", "Auth0 SCIM", `Invalid GUID: service_principal_id = "Auth0 SCIM" is not a GUID`},
		{"job_id", "scim", `Invalid provisioning job id: job_id = "scim" is not a provisioning job id`},
		{"job_id", goodSP, "That is a GUID"},
		{"connection_id", "entra-corp", `Invalid Auth0 connection id: connection_id = "entra-corp" is not an Auth0 connection id`},
		{"token_id", "tok_123", `Invalid Auth0 SCIM token id: token_id = "tok_123" is not an Auth0 SCIM token id`},
	} {
		errs := validate(with(good, c.attr, c.value))
		if len(errs) != 1 || !strings.Contains(errs[0], c.want) {
			t.Errorf("%s = %q: errors %q, want one containing %q", c.attr, c.value, errs, c.want)
		}
	}
}

func TestProvisionOnDemandValidatesIDsAtPlan(t *testing.T) {
	srv, schemas := server(t)
	const action = "auth0entra_provision_on_demand"
	s, ok := schemas.ActionSchemas[action]
	if !ok {
		t.Fatalf("no %s action", action)
	}
	typ := s.Schema.ValueType()
	good := map[string]string{"service_principal_id": goodSP, "job_id": validators.ExampleJobID, "object_id": "bf21f7e9-9d25-4da2-82ab-7fdd85049f83"}
	validate := func(args map[string]string) []string {
		resp, err := srv.ValidateActionConfig(context.Background(), &tfprotov6.ValidateActionConfigRequest{ActionType: action, Config: config(t, typ, args)})
		if err != nil {
			t.Fatal(err)
		}
		return errorsOf(resp.Diagnostics)
	}
	if errs := validate(good); len(errs) != 0 {
		t.Fatalf("valid configuration refused: %v", errs)
	}
	for _, c := range []struct{ attr, value, want string }{
		{"service_principal_id", "", `service_principal_id = "" is not a GUID`},
		{"job_id", "scim.00000000000000000000000000000000.missing", `job_id = "scim.00000000000000000000000000000000.missing" is not a provisioning job id`},
		{"object_id", "alice@corp.example", `object_id = "alice@corp.example" is not a GUID`},
		{"object_id", "alice@corp.example", "a user principal name (alice@corp.example) is not accepted"},
	} {
		errs := validate(with(good, c.attr, c.value))
		if len(errs) != 1 || !strings.Contains(errs[0], c.want) {
			t.Errorf("%s = %q: errors %q, want one containing %q", c.attr, c.value, errs, c.want)
		}
	}
}
