package entraclient

import (
	"context"
	"net/http"

	"github.com/microsoftgraph/msgraph-sdk-go/models"
)

// NewWithTransport builds a Client whose HTTP traffic goes through base (tests wrap the transport to play a server
// that answers an error after doing the work).
func NewWithTransport(ctx context.Context, cfg Config, base http.RoundTripper) (*Client, error) {
	return newClient(ctx, cfg, base)
}

// ApplicationsNamedLike lists the applications whose display name starts with prefix.
func (c *Client) ApplicationsNamedLike(ctx context.Context, prefix string) ([]Application, error) {
	return c.listApplications(ctx, "startswith(displayName,'"+odataQuote(prefix)+"')")
}

// InstantiatePrefix is the prefix of the creating-names applications are instantiated under.
const InstantiatePrefix = creatingPrefix

// SetApplicationTags replaces an application's tags (tests make an application look user-made).
func (c *Client) SetApplicationTags(ctx context.Context, objectID string, tags []string) error {
	body := models.NewApplication()
	body.SetTags(tags)
	_, err := c.graph.Applications().ByApplicationId(objectID).Patch(ctx, body, nil)
	return wrapErr("setting tags", err)
}
