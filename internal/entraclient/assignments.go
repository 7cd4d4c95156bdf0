package entraclient

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/microsoftgraph/msgraph-sdk-go/models"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// AppRoleAssignment is one user or group assigned to a service principal.
type AppRoleAssignment struct {
	ID                   string
	AppRoleID            string
	PrincipalID          string
	PrincipalType        string // User, Group or ServicePrincipal
	PrincipalDisplayName string
}

// ListAppRoleAssignedTo lists who is assigned to the service principal (Users and groups blade).
func (c *Client) ListAppRoleAssignedTo(ctx context.Context, servicePrincipalID string) ([]AppRoleAssignment, error) {
	b := c.graph.ServicePrincipals().ByServicePrincipalId(servicePrincipalID).AppRoleAssignedTo()
	var out []AppRoleAssignment
	page, err := b.Get(ctx, nil)
	for pages := 0; err == nil && page != nil && pages < 1000; pages++ {
		for _, a := range page.GetValue() {
			out = append(out, toAssignment(a))
		}
		next := deref(page.GetOdataNextLink())
		if next == "" {
			break
		}
		page, err = b.WithUrl(next).Get(ctx, nil)
	}
	if err != nil {
		return nil, wrapErr("listing the assignments of service principal "+servicePrincipalID, err)
	}
	return out, nil
}

// AssignAppRole assigns a user or group to the service principal with the given app role. While the principal or the
// new service principal is still replicating (404, or 400 "Not a valid reference update"), it retries.
//
// The POST is never repeated blindly: after a server error (5xx), which can follow a successful create, and after
// Graph's 400 "Permission being assigned already exists", it lists the assignments and adopts an identical one (same
// principal, same app role). Only when none is there is the POST sent again, at most maxAssignServerErrors times.
func (c *Client) AssignAppRole(ctx context.Context, servicePrincipalID, appRoleID, principalID string) (*AppRoleAssignment, error) {
	sp, err := uuid.Parse(servicePrincipalID)
	if err != nil {
		return nil, fmt.Errorf("service principal id %q is not a GUID", servicePrincipalID)
	}
	role, err := uuid.Parse(appRoleID)
	if err != nil {
		return nil, fmt.Errorf("app role id %q is not a GUID", appRoleID)
	}
	principal, err := uuid.Parse(principalID)
	if err != nil {
		return nil, fmt.Errorf("principal id %q is not a GUID", principalID)
	}
	op := "assigning principal " + principalID
	var out AppRoleAssignment
	serverErrors := 0
	retryable := func(err error, elapsed time.Duration) bool {
		// An existing assignment that the list does not show yet is replication too.
		return whileReplicatingReference(err, elapsed) || isAlreadyAssigned(err) ||
			(isServerError(err) && serverErrors < maxAssignServerErrors)
	}
	err = c.retry(ctx, op, retryable, func(ctx context.Context) error {
		body := models.NewAppRoleAssignment()
		body.SetPrincipalId(&principal)
		body.SetResourceId(&sp)
		body.SetAppRoleId(&role)
		res, err := c.graph.ServicePrincipals().ByServicePrincipalId(servicePrincipalID).AppRoleAssignedTo().Post(ctx, body, nil)
		if err == nil {
			out = toAssignment(res)
			return nil
		}
		err = wrapErr(op, err)
		if !isServerError(err) && !isAlreadyAssigned(err) {
			return err
		}
		if isServerError(err) {
			serverErrors++
		}
		// The assignment may exist: a 5xx after the create, or an earlier attempt that succeeded.
		tflog.Info(ctx, "Assigning answered an error that may follow a successful create; looking for the assignment", map[string]any{
			"principal_id": principalID, "status": StatusCode(err), "error": errorSummary(err),
		})
		have, lerr := c.ListAppRoleAssignedTo(ctx, servicePrincipalID)
		if lerr != nil {
			return err
		}
		for _, a := range have {
			if strings.EqualFold(a.PrincipalID, principalID) && strings.EqualFold(a.AppRoleID, appRoleID) {
				tflog.Info(ctx, "Adopting the existing identical assignment", map[string]any{"principal_id": principalID, "assignment_id": a.ID})
				out = a
				return nil
			}
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// maxAssignServerErrors bounds how many server errors AssignAppRole takes before giving up (each one is followed by a
// look for the assignment before the POST is sent again).
const maxAssignServerErrors = 3

// isAlreadyAssigned reports Graph's 400 for an assignment that exists already.
func isAlreadyAssigned(err error) bool {
	e := AsError(err)
	return e != nil && e.StatusCode == http.StatusBadRequest &&
		strings.Contains(strings.ToLower(e.Message+" "+strings.Join(e.Details, " ")), "already exists")
}

// RemoveAppRoleAssignment removes one assignment; a missing one is not an error.
func (c *Client) RemoveAppRoleAssignment(ctx context.Context, servicePrincipalID, assignmentID string) error {
	err := c.graph.ServicePrincipals().ByServicePrincipalId(servicePrincipalID).AppRoleAssignedTo().ByAppRoleAssignmentId(assignmentID).Delete(ctx, nil)
	if err = wrapErr("removing assignment "+assignmentID, err); err != nil && !IsNotFound(err) {
		return err
	}
	return nil
}

func toAssignment(a models.AppRoleAssignmentable) AppRoleAssignment {
	if a == nil {
		return AppRoleAssignment{}
	}
	out := AppRoleAssignment{
		ID:                   deref(a.GetId()),
		PrincipalType:        deref(a.GetPrincipalType()),
		PrincipalDisplayName: deref(a.GetPrincipalDisplayName()),
	}
	if id := a.GetAppRoleId(); id != nil {
		out.AppRoleID = id.String()
	}
	if id := a.GetPrincipalId(); id != nil {
		out.PrincipalID = id.String()
	}
	return out
}
