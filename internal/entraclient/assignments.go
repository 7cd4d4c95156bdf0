package entraclient

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/microsoftgraph/msgraph-sdk-go/models"
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
	err = c.retry(ctx, op, whileReplicatingReference, func(ctx context.Context) error {
		body := models.NewAppRoleAssignment()
		body.SetPrincipalId(&principal)
		body.SetResourceId(&sp)
		body.SetAppRoleId(&role)
		res, err := c.graph.ServicePrincipals().ByServicePrincipalId(servicePrincipalID).AppRoleAssignedTo().Post(ctx, body, nil)
		if err != nil {
			return wrapErr(op, err)
		}
		out = toAssignment(res)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
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
