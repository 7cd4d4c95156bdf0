package entraclient

import (
	"context"

	abstractions "github.com/microsoft/kiota-abstractions-go"
)

// GetJobJSON reads a provisioning job as raw JSON: status, last execution with its counts, and quarantine, for
// callers that need more than Job holds (the provisioning status data source).
func (c *Client) GetJobJSON(ctx context.Context, spID, jobID string) ([]byte, error) {
	b := c.jobBuilder(spID, jobID)
	return c.sendRaw(ctx, "reading provisioning job "+jobID, abstractions.GET, b.UrlTemplate, b.PathParameters, nil)
}
