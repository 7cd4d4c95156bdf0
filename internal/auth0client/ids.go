package auth0client

import "regexp"

var (
	connectionIDPattern = regexp.MustCompile(`^con_[A-Za-z0-9]{16}$`)
	tokenIDPattern      = regexp.MustCompile(`^tok_[A-Za-z0-9]{16}$`)
)

// IsConnectionID reports whether s has the form of an Auth0 connection id: "con_" and 16 letters or digits.
func IsConnectionID(s string) bool { return connectionIDPattern.MatchString(s) }

// IsSCIMTokenID reports whether s has the form of a SCIM token id: "tok_" and 16 letters or digits.
func IsSCIMTokenID(s string) bool { return tokenIDPattern.MatchString(s) }
