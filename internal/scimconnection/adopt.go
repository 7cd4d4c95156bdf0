package scimconnection

import (
	"context"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/auth0client"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/pacing"
)

// createOrAdopt creates the connection's SCIM configuration so that no run of the provider, however it ends,
// leaves one that a later apply cannot take over.
//
// The SCIM configuration has no free-form field, so the marker is on the connection: before the POST, the metadata
// key auth0client.MarkerSCIMConfiguration is set to the time (auth0-connection-metadata.md). The plan has just
// checked that the connection has no SCIM configuration (or that it carries the marker already), so a configuration
// found on a marked connection was created after the marker was written, by this provider: a user who enables SCIM
// in the Dashboard does not write that key. Then:
//
//   - an answer that proves nothing (5xx, no answer) is followed by a read-back: the configuration found is the one
//     this call created and is adopted; none found means the POST was not carried out, and it is sent again while
//     the deadline allows (the retry transport never repeats it by itself);
//   - "already exists" on a marked connection is the remains of an earlier, interrupted run: adopted likewise.
//
// Create then sets the planned mapping on what was adopted. The marker stays until Delete removes it.
func createOrAdopt(ctx context.Context, client *auth0client.Client, conn *auth0client.Connection, body *auth0client.SCIMConfigurationInput) (*auth0client.SCIMConfiguration, error) {
	id := conn.ID
	if conn.Metadata[auth0client.MarkerSCIMConfiguration] == "" {
		md := auth0client.WithMetadata(conn.Metadata, auth0client.MarkerSCIMConfiguration, time.Now().UTC().Format(time.RFC3339))
		if _, err := client.SetConnectionMetadata(ctx, id, md); err != nil {
			return nil, err
		}
	}
	wait := 250 * time.Millisecond
	for {
		cfg, err := client.CreateSCIMConfiguration(ctx, id, body)
		if err == nil {
			return cfg, nil
		}
		if !auth0client.Ambiguous(err) && !auth0client.IsAlreadyExists(err) {
			return nil, err
		}
		got, gerr := client.GetSCIMConfiguration(ctx, id)
		switch {
		case gerr == nil:
			tflog.Warn(ctx, "Adopted the SCIM configuration this provider created on the marked connection", map[string]any{
				"connection_id": id, "create_answer": err.Error(), "created_at": got.CreatedAt,
			})
			return got, nil
		case !auth0client.IsSCIMNotConfigured(gerr) || !auth0client.Ambiguous(err):
			return nil, err
		}
		// Not created: the POST may be sent again, after a pause bounded by the deadline.
		tflog.Warn(ctx, "Creating the SCIM configuration failed and none exists; creating it again", map[string]any{
			"connection_id": id, "create_answer": err.Error(), "wait": wait.String(),
		})
		if pacing.Sleep(ctx, wait) != nil {
			return nil, err
		}
		wait = min(2*wait, 5*time.Second)
	}
}

// unmark removes the provider's marker from the connection once its SCIM configuration is deleted.
func unmark(ctx context.Context, client *auth0client.Client, id string) error {
	conn, err := client.GetConnection(ctx, id)
	if auth0client.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if _, ok := conn.Metadata[auth0client.MarkerSCIMConfiguration]; !ok {
		return nil
	}
	_, err = client.SetConnectionMetadata(ctx, id, auth0client.WithMetadata(conn.Metadata, auth0client.MarkerSCIMConfiguration, ""))
	return err
}
