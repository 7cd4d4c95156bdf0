package entraclient

import (
	"context"

	abstractions "github.com/microsoft/kiota-abstractions-go"
)

// provisioningLogsTemplate is GET /auditLogs/provisioning with $filter and $top (scim-groups.md §5). The request is
// sent raw, like the synchronization calls, so that the answer's provisioningObjectSummary entries are read as JSON.
const provisioningLogsTemplate = "{+baseurl}/auditLogs/provisioning{?%24filter,%24top}"

// ListProvisioningLogs reads provisioning log entries (provisioningObjectSummary) matching an OData filter, e.g.
// "jobId eq '…' and cycleId eq '…'", newest first, at most top of them (one page).
func (c *Client) ListProvisioningLogs(ctx context.Context, filter string, top int) ([]byte, error) {
	params := map[string]string{}
	if filter != "" {
		params["%24filter"] = filter
	}
	if top > 0 {
		params["%24top"] = itoa(top)
	}
	return c.sendRaw(ctx, "reading the provisioning logs", abstractions.GET, provisioningLogsTemplate, params, nil)
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}
