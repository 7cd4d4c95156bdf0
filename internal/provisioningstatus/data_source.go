// Package provisioningstatus implements the auth0entra_provisioning_status data source: the state of a provisioning
// job (schedule, last cycle, counts, quarantine) and, optionally, of the Auth0 SCIM token it uses. It is read-only
// and meant for check blocks and outputs.
package provisioningstatus

import (
	"context"
	"fmt"
	"time"

	dstimeouts "github.com/hashicorp/terraform-plugin-framework-timeouts/datasource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/auth0client"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/auth0client/validate"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/framework"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/provisioning"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/validators"
)

// TypeName is the data source type.
const TypeName = "auth0entra_provisioning_status"

var (
	_ datasource.DataSourceWithConfigure        = (*DataSource)(nil)
	_ datasource.DataSourceWithConfigValidators = (*DataSource)(nil)
)

// NewDataSource returns the data source.
func NewDataSource() datasource.DataSource {
	return &DataSource{DataSourceWithClients: framework.DataSourceWithClients{WithClients: framework.WithClients{TypeName: TypeName}}}
}

// DataSource is the auth0entra_provisioning_status data source.
type DataSource struct {
	framework.DataSourceWithClients
}

// dataSourceModel is the data source's data.
type dataSourceModel struct {
	ServicePrincipalID types.String `tfsdk:"service_principal_id"`
	JobID              types.String `tfsdk:"job_id"`
	ConnectionID       types.String `tfsdk:"connection_id"`
	TokenID            types.String `tfsdk:"token_id"`

	Enabled          types.Bool   `tfsdk:"enabled"`
	State            types.String `tfsdk:"state"`
	StatusCode       types.String `tfsdk:"status_code"`
	Quarantined      types.Bool   `tfsdk:"quarantined"`
	QuarantineReason types.String `tfsdk:"quarantine_reason"`
	QuarantineError  types.String `tfsdk:"quarantine_error"`
	QuarantineSince  types.String `tfsdk:"quarantine_since"`
	LastCycleState   types.String `tfsdk:"last_cycle_state"`
	LastCycleBegan   types.String `tfsdk:"last_cycle_began"`
	LastCycleEnded   types.String `tfsdk:"last_cycle_ended"`
	LastCycleError   types.String `tfsdk:"last_cycle_error"`
	CountImported    types.Int64  `tfsdk:"count_imported"`
	CountExported    types.Int64  `tfsdk:"count_exported"`
	CountEscrowed    types.Int64  `tfsdk:"count_escrowed"`
	TokenExists      types.Bool   `tfsdk:"token_exists"`
	TokenLastUsedAt  types.String `tfsdk:"token_last_used_at"`
	TokenValidUntil  types.String `tfsdk:"token_valid_until"`

	// Per object type, from the provisioning logs (failures.go).
	LastCycleUserFailures  types.Int64 `tfsdk:"last_cycle_user_failures"`
	LastCycleGroupFailures types.Int64 `tfsdk:"last_cycle_group_failures"`
	LastCycleFailures      types.List  `tfsdk:"last_cycle_failures"`

	Timeouts dstimeouts.Value `tfsdk:"timeouts"`
}

// Metadata implements datasource.DataSource.
func (d *DataSource) Metadata(_ context.Context, _ datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = TypeName
}

// Schema implements datasource.DataSource.
func (d *DataSource) Schema(ctx context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	computed := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, MarkdownDescription: desc}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "The state of a provisioning job — schedule, last cycle, counts, quarantine — and, when " +
			"`connection_id` and `token_id` are given, of the Auth0 SCIM token it uses. Read-only; use it in `check` " +
			"blocks to see on every plan whether provisioning really flows.",
		Attributes: map[string]schema.Attribute{
			"service_principal_id": schema.StringAttribute{Required: true, MarkdownDescription: "Service principal of the enterprise app (`auth0entra_enterprise_app.service_principal_id`).",
				Validators: []validator.String{validators.GUID("auth0entra_enterprise_app.<name>.service_principal_id (the service principal's object id, not the application's client id)")}},
			"job_id": schema.StringAttribute{Required: true, MarkdownDescription: "Provisioning job id (`auth0entra_enterprise_app.job_id`).",
				Validators: []validator.String{validators.SynchronizationJobID("auth0entra_enterprise_app.<name>.job_id")}},
			"connection_id": schema.StringAttribute{Optional: true, MarkdownDescription: "Auth0 connection of the SCIM token; with `token_id`, the token is read too.",
				Validators: []validator.String{validate.ConnectionID()}},
			"token_id": schema.StringAttribute{Optional: true, MarkdownDescription: "Auth0 SCIM token id (`auth0entra_scim_token.token_id`).",
				Validators: []validator.String{validate.SCIMTokenID()}},

			"enabled":            schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether the job is started (schedule state `Active`)."},
			"state":              computed("Schedule state: `Active`, `Paused` or `Disabled`."),
			"status_code":        computed("Status code: `NotConfigured`, `NotRun`, `Active`, `Paused` or `Quarantine`."),
			"quarantined":        schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether the job is in quarantine."},
			"quarantine_reason":  computed("Why the job is quarantined, e.g. `EncounteredQuarantineException`."),
			"quarantine_error":   computed("The quarantine's error code and message."),
			"quarantine_since":   computed("When the current quarantine began (RFC 3339)."),
			"last_cycle_state":   computed("State of the last cycle: `Succeeded`, `Failed` or `EntryLevelErrors`."),
			"last_cycle_began":   computed("When the last cycle began (RFC 3339)."),
			"last_cycle_ended":   computed("When the last cycle ended (RFC 3339)."),
			"last_cycle_error":   computed("The last cycle's error code and message, if any."),
			"count_imported":     schema.Int64Attribute{Computed: true, MarkdownDescription: "Objects imported in the last cycle."},
			"count_exported":     schema.Int64Attribute{Computed: true, MarkdownDescription: "Objects exported (written to Auth0) in the last cycle."},
			"count_escrowed":     schema.Int64Attribute{Computed: true, MarkdownDescription: "Objects escrowed (failed, to be retried) in the last cycle."},
			"token_exists":       schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether the Auth0 SCIM token still exists (null without `token_id`)."},
			"token_last_used_at": computed("When Entra last used the Auth0 SCIM token (null if never)."),
			"token_valid_until":  computed("When the Auth0 SCIM token expires (null if it never does)."),

			"last_cycle_user_failures":  failureCountAttribute("users"),
			"last_cycle_group_failures": failureCountAttribute("groups"),
			"last_cycle_failures":       failuresAttribute(),
		},
		Blocks: map[string]schema.Block{
			"timeouts": dstimeouts.BlockWithOpts(ctx, dstimeouts.Opts{
				ReadDescription: "How long reading the job's status, its provisioning logs and the Auth0 token may take, " +
					"including retries while a cloud rate-limits. A duration such as `2m`; default `5m`.",
			}),
		},
	}
}

// TimeoutsValue is the timeouts block, for framework.BeginRead.
func (m *dataSourceModel) TimeoutsValue() dstimeouts.Value { return m.Timeouts }

// ConfigValidators requires connection_id and token_id together.
func (d *DataSource) ConfigValidators(context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{tokenNeedsConnection{}}
}

// tokenNeedsConnection requires connection_id and token_id together, saying which one is missing and how to set
// it (a token id alone cannot be read: Auth0 lists tokens per connection).
type tokenNeedsConnection struct{}

func (tokenNeedsConnection) Description(context.Context) string {
	return "connection_id and token_id are set together"
}

func (v tokenNeedsConnection) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (tokenNeedsConnection) ValidateDataSource(ctx context.Context, req datasource.ValidateConfigRequest, resp *datasource.ValidateConfigResponse) {
	var conn, tok types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("connection_id"), &conn)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("token_id"), &tok)...)
	if resp.Diagnostics.HasError() {
		return
	}
	switch {
	case !tok.IsNull() && conn.IsNull():
		resp.Diagnostics.AddAttributeError(path.Root("connection_id"), "token_id needs connection_id",
			fmt.Sprintf("token_id = %s is set but connection_id is not: Auth0 lists a SCIM token only through its connection. "+
				"Add connection_id = auth0entra_scim_token.<name>.connection_id, or remove token_id to read the job's status alone.", quoted(tok)))
	case !conn.IsNull() && tok.IsNull():
		resp.Diagnostics.AddAttributeError(path.Root("token_id"), "connection_id needs token_id",
			fmt.Sprintf("connection_id = %s is set but token_id is not: connection_id only says where to find the token. "+
				"Add token_id = auth0entra_scim_token.<name>.token_id, or remove connection_id.", quoted(conn)))
	}
}

// quoted renders a configured value for a message: quoted and cut to a readable length, or "(known after apply)".
func quoted(v types.String) string {
	if v.IsUnknown() {
		return "(known after apply)"
	}
	s := v.ValueString()
	if len(s) > 80 {
		s = s[:80] + "…"
	}
	return fmt.Sprintf("%q", s)
}

// Read implements datasource.DataSource. timeouts.read bounds it (default auth0client.DefaultReadTimeout).
func (d *DataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	ctx, cancel, m, g, ok := framework.BeginRead[dataSourceModel](ctx, req.Config.Get, d.Graph, auth0client.DefaultReadTimeout, &resp.Diagnostics)
	defer cancel()
	if !ok {
		return
	}
	st, err := provisioning.GetJobStatus(ctx, g, m.ServicePrincipalID.ValueString(), m.JobID.ValueString())
	if err != nil {
		resp.Diagnostics.AddError("Reading the provisioning job failed",
			"Could not read job "+m.JobID.ValueString()+" of service principal "+m.ServicePrincipalID.ValueString()+": "+err.Error())
		return
	}
	m.Enabled = types.BoolValue(st.State == "Active")
	m.State, m.StatusCode = types.StringValue(st.State), types.StringValue(st.Code)
	m.Quarantined = types.BoolValue(st.Quarantined())
	m.QuarantineReason = optString(st.QuarantineReason)
	m.QuarantineError = optString(join(st.QuarantineCode, st.QuarantineMessage))
	m.QuarantineSince = optTime(st.QuarantineSince)
	m.LastCycleState = optString(st.LastExecutionState)
	m.LastCycleBegan, m.LastCycleEnded = optTime(st.LastExecutionBegan), optTime(st.LastExecutionEnded)
	m.LastCycleError = optString(st.LastExecutionError)
	m.CountImported, m.CountExported, m.CountEscrowed = types.Int64Value(st.CountImported), types.Int64Value(st.CountExported), types.Int64Value(st.CountEscrowed)
	resp.Diagnostics.Append(readFailures(ctx, g, m.JobID.ValueString(), st, &m)...) // failures.go

	m.TokenExists, m.TokenLastUsedAt, m.TokenValidUntil = types.BoolNull(), types.StringNull(), types.StringNull()
	if !m.TokenID.IsNull() && m.TokenID.ValueString() != "" {
		a0, diags := d.Auth0()
		resp.Diagnostics.Append(diags...)
		if diags.HasError() {
			return
		}
		connID, tokenID := m.ConnectionID.ValueString(), m.TokenID.ValueString()
		tokens, err := a0.ListSCIMTokens(ctx, connID)
		switch {
		case auth0client.IsConnectionNotFound(err):
			// Gone with its connection: the token does not exist, which is what this data source reports. The
			// warning tells a deleted connection from a mistyped connection_id.
			resp.Diagnostics.AddAttributeWarning(path.Root("connection_id"), "Auth0 connection not found",
				fmt.Sprintf("connection_id = %q: tenant %s has no connection with this id, so SCIM token %q does not exist (token_exists = false). "+
					"If the connection was not deleted on purpose, check connection_id (auth0entra_scim_connection.<name>.connection_id).", connID, a0.Domain, tokenID))
			tokens, err = nil, nil
		case auth0client.IsNotFound(err):
			// The SCIM configuration was deleted, and its tokens with it.
			tokens, err = nil, nil
		}
		if err != nil {
			resp.Diagnostics.AddError("Reading the SCIM tokens failed", err.Error())
			return
		}
		m.TokenExists = types.BoolValue(false)
		for _, t := range tokens {
			if t.TokenID == tokenID {
				m.TokenExists = types.BoolValue(true)
				m.TokenLastUsedAt = optString(t.LastUsedAt)
				m.TokenValidUntil = optString(t.ValidUntil)
			}
		}
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func optString(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}

func optTime(t *time.Time) types.String {
	if t == nil {
		return types.StringNull()
	}
	return types.StringValue(t.UTC().Format(time.RFC3339))
}

func join(code, msg string) string {
	switch {
	case code == "":
		return msg
	case msg == "":
		return code
	}
	return code + ": " + msg
}
