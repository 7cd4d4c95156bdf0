// Package framework holds what every resource and data source of the provider shares, once: the provider data
// (Configure), the request preamble (Begin, BeginRead) and the "removed outside Terraform" warning (RemovedOutside).
// It plays the part of the AWS provider's internal/framework and the Auth0 provider's internal/auth0 helpers:
// nothing in it knows a resource, and it imports only the client packages through internal/conns.
package framework

import (
	"context"
	"time"

	dstimeouts "github.com/hashicorp/terraform-plugin-framework-timeouts/datasource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/auth0client"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/conns"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/entraclient"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/provisioning"
)

// WithClients is embedded by every resource and data source: it implements Configure and hands out the client the
// type needs, or the diagnostic that says how to configure it. TypeName names the type in that diagnostic.
type WithClients struct {
	TypeName string
	// Clients is the provider data, nil before the provider is configured (as during validation).
	Clients *conns.Clients
}

// Configure implements resource.ResourceWithConfigure.
func (w *WithClients) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	w.configure(req.ProviderData, &resp.Diagnostics)
}

func (w *WithClients) configure(data any, diags *diag.Diagnostics) {
	c, d := conns.FromProviderData(data)
	diags.Append(d...)
	w.Clients = c
}

// Auth0 returns the Auth0 client, or a diagnostic when the provider has none.
func (w *WithClients) Auth0() (*auth0client.Client, diag.Diagnostics) {
	return w.Clients.RequireAuth0(w.TypeName)
}

// Entra returns the Entra client, or a diagnostic when the provider has none.
func (w *WithClients) Entra() (*entraclient.Client, diag.Diagnostics) {
	return w.Clients.RequireEntra(w.TypeName)
}

// DataSourceWithClients is WithClients for a data source, whose Configure takes the data source request types.
type DataSourceWithClients struct{ WithClients }

// Configure implements datasource.DataSourceWithConfigure.
func (w *DataSourceWithClients) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	w.configure(req.ProviderData, &resp.Diagnostics)
}

// ActionWithClients is WithClients for an action.
type ActionWithClients struct{ WithClients }

// Configure implements action.ActionWithConfigure.
func (w *ActionWithClients) Configure(_ context.Context, req action.ConfigureRequest, resp *action.ConfigureResponse) {
	w.configure(req.ProviderData, &resp.Diagnostics)
}

// Graph returns the Entra client as the raw-JSON Graph interface the provisioning Go API uses.
func (w *WithClients) Graph() (provisioning.Graph, diag.Diagnostics) {
	return w.Clients.RequireGraph(w.TypeName)
}

// Operation is the timeouts block value a request is bounded by: timeouts.Value.Create, .Read, .Update or .Delete.
type Operation func(timeouts.Value, context.Context, time.Duration) (time.Duration, diag.Diagnostics)

// Model is a resource model with a timeouts block, implemented by a pointer to it.
type Model[M any] interface {
	*M
	TimeoutsValue() timeouts.Value
}

// Getter reads a model: the Get of req.Plan, req.State or req.Config.
type Getter func(context.Context, any) diag.Diagnostics

// Begin is how a resource's Create, Read, Update and Delete start: it reads the model with get, requires the
// client, and bounds ctx by the operation's timeout (dflt when the configuration sets none). The returned cancel is
// never nil: the caller defers it even when ok is false.
func Begin[M any, PM Model[M], C any](ctx context.Context, get Getter, client func() (C, diag.Diagnostics),
	op Operation, dflt time.Duration, diags *diag.Diagnostics,
) (_ context.Context, _ context.CancelFunc, m M, c C, ok bool) {
	if m, c, ok = load[M](ctx, get, client, diags); !ok {
		return ctx, func() {}, m, c, false
	}
	ctx, cancel := Bound(ctx, PM(&m).TimeoutsValue(), op, dflt, diags)
	return ctx, cancel, m, c, !diags.HasError()
}

// load reads the model with get and requires the client: the start Begin and BeginRead share.
func load[M any, C any](ctx context.Context, get Getter, client func() (C, diag.Diagnostics), diags *diag.Diagnostics) (m M, c C, ok bool) {
	diags.Append(get(ctx, &m)...)
	if diags.HasError() {
		return m, c, false
	}
	c, d := client()
	diags.Append(d...)
	return m, c, !diags.HasError()
}

// Bound bounds ctx by the timeout op picks from the timeouts block v, dflt when the block does not set it. For
// the steps that are not a whole CRUD method, e.g. the reads of a ModifyPlan (op ReadTimeout).
func Bound(ctx context.Context, v timeouts.Value, op Operation, dflt time.Duration, diags *diag.Diagnostics) (context.Context, context.CancelFunc) {
	timeout, d := op(v, ctx, dflt)
	diags.Append(d...)
	return context.WithTimeout(ctx, timeout)
}

// ReadTimeout is the read timeout of a timeouts block: its read value, dflt when it has none.
func ReadTimeout(v timeouts.Value, ctx context.Context, dflt time.Duration) (time.Duration, diag.Diagnostics) {
	return v.Read(ctx, dflt)
}

// DataSourceModel is a data source model with a timeouts block (read only), implemented by a pointer to it.
type DataSourceModel[M any] interface {
	*M
	TimeoutsValue() dstimeouts.Value
}

// BeginRead is how a data source's Read starts: it reads the configuration, requires the client and bounds ctx by
// timeouts.read (dflt when the configuration sets none). The returned cancel is never nil.
func BeginRead[M any, PM DataSourceModel[M], C any](ctx context.Context, get Getter, client func() (C, diag.Diagnostics),
	dflt time.Duration, diags *diag.Diagnostics,
) (_ context.Context, _ context.CancelFunc, m M, c C, ok bool) {
	if m, c, ok = load[M](ctx, get, client, diags); !ok {
		return ctx, func() {}, m, c, false
	}
	timeout, d := PM(&m).TimeoutsValue().Read(ctx, dflt)
	diags.Append(d...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	return ctx, cancel, m, c, !diags.HasError()
}

// RemovedOutside is how a Read says that the object is gone: a warning titled what (e.g. "SCIM token revoked
// outside Terraform") with detail (which object, what went with it, what the next plan does), the same in the log,
// and the resource removed from the state so that the next plan creates it again.
func RemovedOutside(ctx context.Context, resp *resource.ReadResponse, what, detail string) {
	tflog.Warn(ctx, what+"; removing it from the state", map[string]any{"detail": detail})
	resp.Diagnostics.AddWarning(what, detail)
	resp.State.RemoveResource(ctx)
}
