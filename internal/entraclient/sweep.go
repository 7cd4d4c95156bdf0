package entraclient

import (
	"context"
	"fmt"

	"github.com/microsoftgraph/msgraph-sdk-go/serviceprincipals"
)

// ListApplicationsByPrefix returns the applications whose display name starts with prefix (the acceptance tests'
// sweepers use it with "tf-acc-").
func (c *Client) ListApplicationsByPrefix(ctx context.Context, prefix string) ([]Application, error) {
	apps, err := c.listApplications(ctx, fmt.Sprintf("startswith(displayName,'%s')", odataQuote(prefix)))
	return apps, wrapErr("listing applications named "+prefix+"*", err)
}

// ListServicePrincipalsByPrefix returns the service principals whose display name starts with prefix.
func (c *Client) ListServicePrincipalsByPrefix(ctx context.Context, prefix string) ([]ServicePrincipal, error) {
	filter := fmt.Sprintf("startswith(displayName,'%s')", odataQuote(prefix))
	res, err := c.graph.ServicePrincipals().Get(ctx, &serviceprincipals.ServicePrincipalsRequestBuilderGetRequestConfiguration{
		QueryParameters: &serviceprincipals.ServicePrincipalsRequestBuilderGetQueryParameters{Filter: &filter},
	})
	if err != nil {
		return nil, wrapErr("listing service principals named "+prefix+"*", err)
	}
	var out []ServicePrincipal
	for _, sp := range res.GetValue() {
		out = append(out, toServicePrincipal(sp))
	}
	return out, nil
}

// DeleteServicePrincipal deletes a service principal; a missing one is not an error.
func (c *Client) DeleteServicePrincipal(ctx context.Context, id string) error {
	err := wrapErr("deleting service principal "+id, c.graph.ServicePrincipals().ByServicePrincipalId(id).Delete(ctx, nil))
	if err != nil && !IsNotFound(err) {
		return err
	}
	return nil
}
