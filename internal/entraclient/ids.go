package entraclient

import (
	"regexp"
	"strings"
)

// IsGUID reports whether s is a GUID in its usual 8-4-4-4-12 form (object ids, application ids, tenant ids).
func IsGUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, c := range s {
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !strings.ContainsRune("0123456789abcdefABCDEF", c) {
				return false
			}
		}
	}
	return true
}

// jobIDPattern is the form of a provisioning job id, {template id}.{tenant id without dashes}.{application id}
// (reference §5.4): scim.ff8bf889e03141ac8f7baedb059892ee.bfc8712e-0986-4d47-896b-6872713598c6,
// aWSSingleSignon.ff8bf889e03141ac8f7baedb059892ee.bfc8712e-0986-4d47-896b-6872713598c6, customappssoOutDelta.….
var jobIDPattern = regexp.MustCompile(`^[A-Za-z0-9_-]+\.[0-9a-fA-F]{32}\.[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// IsJobID reports whether s has the form of a provisioning job id, {template id}.{tenant id without dashes}.{application id}.
func IsJobID(s string) bool { return jobIDPattern.MatchString(s) }
