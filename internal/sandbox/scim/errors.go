package scim

import (
	"encoding/json"
	"net/http"
	"strconv"
)

// ContentType is what the SCIM server answers with. Auth0's exact header is UNKNOWN (auth0-management-api.md §10.3);
// RFC 7644 §3.1 and Microsoft's SCIM guidance use application/scim+json.
const ContentType = "application/scim+json; charset=utf-8"

// errorBody is the RFC 7644 §3.12 error response. Auth0's SCIM error format is UNKNOWN (auth0-management-api.md §10.3);
// the suggested RFC shape is used for every error.
type errorBody struct {
	Schemas  []string `json:"schemas"`
	Status   string   `json:"status"`
	ScimType string   `json:"scimType,omitempty"`
	Detail   string   `json:"detail"`
}

// WriteError writes an RFC 7644 §3.12 error. scimType may be empty.
func WriteError(w http.ResponseWriter, status int, scimType, detail string) {
	writeJSON(w, status, errorBody{
		Schemas:  []string{ErrorSchema},
		Status:   strconv.Itoa(status),
		ScimType: scimType,
		Detail:   detail,
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", ContentType)
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
