package scimtoken

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/auth0client"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/pacing"
)

// Tokens cannot be read back with their secret, so a token whose creation answer was lost is useless: nobody can
// hand it to Entra. What the provider does with such a token (its own leftover) is decided here:
//
//   - Before it creates a token, Create writes a marker on the connection (metadata key
//     auth0client.MarkerPendingSCIMToken): the creation time of the newest token the connection has, and the scopes
//     of the token about to be created. Every token created after that time with exactly those scopes, and not
//     handed to Terraform, is this provider's leftover (auth0-connection-metadata.md §2).
//   - Within one run, an answer that proves nothing (5xx, a lost or late answer) is followed by a list: the
//     leftovers the marker designates are revoked, and the token is created again — once, with an answer this time.
//   - A completed create leaves the marker in place: the token it made is handed to Terraform, but the provider
//     cannot know whether Terraform recorded it (a run killed just after Create returned did not). The process
//     remembers the tokens it created (createdHere), and the first refresh of the resource that holds the token
//     proves Terraform recorded it and removes the marker (clearIfHeld).
//   - Across runs (the process was killed), the marker is still there: the two-token plan check does not count the
//     tokens it designates (they are about to be revoked, and a warning names them), and the next Create of a token on
//     that connection revokes them before it creates its own. So the provider's own leftovers can never hold the
//     two-token limit.
//
// Creates on one connection are serialized within the process, so that a marker always describes the one create in
// flight. Two processes creating tokens on the same connection at the same time are not supported.
var createLocks sync.Map // connection id → *sync.Mutex

// createdHere holds the ids of the tokens this process created and handed to Terraform: never leftovers.
var createdHere sync.Map // token id → struct{}

func lockConnection(connID string) func() {
	m, _ := createLocks.LoadOrStore(connID, &sync.Mutex{})
	mu, ok := m.(*sync.Mutex)
	if !ok {
		panic("scimtoken: createLocks holds a value that is not a *sync.Mutex") // only this function stores into it
	}
	mu.Lock()
	return mu.Unlock
}

// marker is the decoded value of the pending-token marker.
type marker struct {
	after  time.Time // the newest token's creation time when the marker was written; zero: there was none
	scopes []string  // sorted
}

func (m marker) String() string {
	after := "-"
	if !m.after.IsZero() {
		after = m.after.UTC().Format(time.RFC3339Nano)
	}
	return after + "|" + strings.Join(m.scopes, " ")
}

func parseMarker(v string) (marker, bool) {
	after, scopes, ok := strings.Cut(v, "|")
	if !ok {
		return marker{}, false
	}
	var m marker
	if after != "-" {
		t, err := time.Parse(time.RFC3339Nano, after)
		if err != nil {
			return marker{}, false
		}
		m.after = t
	}
	m.scopes = strings.Fields(scopes)
	slices.Sort(m.scopes)
	return m, len(m.scopes) > 0
}

func newMarker(existing []auth0client.SCIMToken, scopes []string) marker {
	m := marker{scopes: slices.Sorted(slices.Values(scopes))}
	for _, t := range existing {
		if c, err := time.Parse(time.RFC3339Nano, t.CreatedAt); err == nil && c.After(m.after) {
			m.after = c
		}
	}
	return m
}

// designates reports whether t is a token the create that wrote m may have made.
func (m marker) designates(t auth0client.SCIMToken) bool {
	created, err := time.Parse(time.RFC3339Nano, t.CreatedAt)
	if err != nil || !created.After(m.after) {
		return false
	}
	return slices.Equal(slices.Sorted(slices.Values(t.Scopes)), m.scopes)
}

// leftovers returns the tokens the marker on conn designates (none without a marker).
func leftovers(conn *auth0client.Connection, toks []auth0client.SCIMToken) []auth0client.SCIMToken {
	if conn == nil {
		return nil
	}
	m, ok := parseMarker(conn.Metadata[auth0client.MarkerPendingSCIMToken])
	if !ok {
		return nil
	}
	var out []auth0client.SCIMToken
	for _, t := range toks {
		if _, mine := createdHere.Load(t.TokenID); m.designates(t) && !mine {
			out = append(out, t)
		}
	}
	return out
}

// clearIfHeld removes the marker when the only token it designates is held, the token a refresh just found in
// the state: Terraform recorded it, so the marker has nothing left to designate. It returns the error of the write.
func clearIfHeld(ctx context.Context, client *auth0client.Client, connID, held string, toks []auth0client.SCIMToken) error {
	conn, err := client.GetConnection(ctx, connID)
	if err != nil {
		return err
	}
	m, ok := parseMarker(conn.Metadata[auth0client.MarkerPendingSCIMToken])
	if !ok {
		return nil
	}
	var designated []string
	for _, t := range toks {
		if m.designates(t) {
			designated = append(designated, t.TokenID)
		}
	}
	if len(designated) != 1 || designated[0] != held {
		return nil
	}
	_, err = client.SetConnectionMetadata(ctx, connID, auth0client.WithMetadata(conn.Metadata, auth0client.MarkerPendingSCIMToken, ""))
	if err == nil {
		tflog.Info(ctx, "Removed the pending-token marker: the token it designates is in the state", map[string]any{"connection_id": connID, "token_id": held})
	}
	return err
}

// createToken creates one token so that, however the run ends, no token it made stays unaccounted for (see above).
func createToken(ctx context.Context, client *auth0client.Client, connID string, scopes []string, lifetime time.Duration) (tok *auth0client.SCIMToken, err error) {
	defer lockConnection(connID)()

	conn, err := client.GetConnection(ctx, connID)
	if err != nil {
		return nil, err
	}
	toks, err := client.ListSCIMTokens(ctx, connID)
	if err != nil {
		if auth0client.IsNotFound(err) {
			// No SCIM configuration (or connection): the POST fails with the message createErrorDetail explains.
			tok, err := client.CreateSCIMToken(ctx, connID, scopes, lifetime)
			return tok, err
		}
		return nil, err
	}
	toks, err = revokeLeftovers(ctx, client, conn, toks)
	if err != nil {
		return nil, err
	}
	m := newMarker(toks, scopes)
	if conn, err = client.SetConnectionMetadata(ctx, connID, auth0client.WithMetadata(conn.Metadata, auth0client.MarkerPendingSCIMToken, m.String())); err != nil {
		return nil, err
	}

	wait := 250 * time.Millisecond
	for {
		tok, err = client.CreateSCIMToken(ctx, connID, scopes, lifetime)
		if err == nil || !auth0client.Ambiguous(err) {
			break
		}
		// The token may exist without anyone knowing its secret: find it and revoke it, then create it again.
		tflog.Warn(ctx, "The answer to a SCIM token creation was lost; revoking what it may have created before creating the token again",
			map[string]any{"connection_id": connID, "create_answer": err.Error()})
		now, lerr := client.ListSCIMTokens(ctx, connID)
		if lerr != nil {
			return nil, fmt.Errorf("%w\n\nThe provider could not check whether that request created a token (%v). The connection keeps the "+
				"provider's marker: the next apply revokes any token this request left before creating one", err, lerr)
		}
		if _, rerr := revokeLeftovers(ctx, client, conn, now); rerr != nil {
			return nil, fmt.Errorf("%w\n\n%v", err, rerr)
		}
		if pacing.Sleep(ctx, wait) != nil {
			return nil, err
		}
		wait = min(2*wait, 5*time.Second)
	}
	if err != nil {
		// A definite refusal: nothing was created, so the marker has nothing to designate.
		_, _ = client.SetConnectionMetadata(ctx, connID, auth0client.WithMetadata(conn.Metadata, auth0client.MarkerPendingSCIMToken, ""))
		return nil, err
	}
	createdHere.Store(tok.TokenID, struct{}{})
	return tok, nil
}

// revokeLeftovers revokes the tokens the marker on conn designates and returns the others.
func revokeLeftovers(ctx context.Context, client *auth0client.Client, conn *auth0client.Connection, toks []auth0client.SCIMToken) ([]auth0client.SCIMToken, error) {
	left := leftovers(conn, toks)
	for _, t := range left {
		if err := client.DeleteSCIMToken(ctx, conn.ID, t.TokenID); err != nil && !auth0client.IsNotFound(err) {
			return nil, fmt.Errorf("revoking SCIM token %s, left by an interrupted create of this provider: %w", t.TokenID, err)
		}
		tflog.Warn(ctx, "Revoked a SCIM token an interrupted create of this provider left (its secret was never received)",
			map[string]any{"connection_id": conn.ID, "token_id": t.TokenID, "created_at": t.CreatedAt})
	}
	out := toks[:0:0]
	for _, t := range toks {
		if !slices.ContainsFunc(left, func(l auth0client.SCIMToken) bool { return l.TokenID == t.TokenID }) {
			out = append(out, t)
		}
	}
	return out, nil
}
