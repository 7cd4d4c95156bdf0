package provisioning

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// LogReader reads Entra's provisioning logs. *entraclient.Client satisfies it.
type LogReader interface {
	ListProvisioningLogs(ctx context.Context, filter string, top int) ([]byte, error)
}

// Failure is one object a provisioning cycle failed on, from the provisioning logs (scim-groups.md §5).
type Failure struct {
	// ObjectType is the source object type: User or Group.
	ObjectType string
	// Object names the object (user principal name or group name) and ID is its Entra object id.
	Object, ID string
	ErrorCode  string
	Reason     string
}

// CycleFailures lists the failures the provisioning logs hold for one cycle of a job (cycleId = the job's
// lastExecution.activityIdentifier; that they are the same value is UNKNOWN, scim-groups.md §5), and counts them by
// object type. It reads at most 999 entries (one page).
func CycleFailures(ctx context.Context, g LogReader, jobID, cycleID string) ([]Failure, map[string]int64, error) {
	filter := fmt.Sprintf("jobId eq '%s' and cycleId eq '%s'", odataQuote(jobID), odataQuote(cycleID))
	raw, err := g.ListProvisioningLogs(ctx, filter, 999)
	if err != nil {
		return nil, nil, err
	}
	return ParseFailures(raw)
}

// ParseFailures reads a provisioningObjectSummary collection and keeps the entries whose status is failure.
func ParseFailures(raw []byte) ([]Failure, map[string]int64, error) {
	var page struct {
		Value []struct {
			SourceIdentity struct {
				ID           string `json:"id"`
				DisplayName  string `json:"displayName"`
				IdentityType string `json:"identityType"`
			} `json:"sourceIdentity"`
			ProvisioningStatusInfo struct {
				Status           string `json:"status"`
				ErrorInformation *struct {
					ErrorCode string `json:"errorCode"`
					Reason    string `json:"reason"`
				} `json:"errorInformation"`
			} `json:"provisioningStatusInfo"`
		} `json:"value"`
	}
	if err := json.Unmarshal(raw, &page); err != nil {
		return nil, nil, fmt.Errorf("provisioning: unexpected provisioning logs answer: %w", err)
	}
	counts := map[string]int64{"User": 0, "Group": 0}
	var out []Failure
	for _, e := range page.Value {
		if !strings.EqualFold(e.ProvisioningStatusInfo.Status, "failure") {
			continue
		}
		typ := e.SourceIdentity.IdentityType
		if typ == "" {
			typ = "User"
		}
		f := Failure{ObjectType: typ, Object: e.SourceIdentity.DisplayName, ID: e.SourceIdentity.ID}
		if ei := e.ProvisioningStatusInfo.ErrorInformation; ei != nil {
			f.ErrorCode, f.Reason = ei.ErrorCode, ei.Reason
		}
		counts[typ]++
		out = append(out, f)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].ObjectType != out[j].ObjectType {
			return out[i].ObjectType > out[j].ObjectType // User before Group
		}
		return out[i].Object < out[j].Object
	})
	return out, counts, nil
}

func odataQuote(s string) string { return strings.ReplaceAll(s, "'", "''") }
