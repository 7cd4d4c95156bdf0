package auth0

import (
	"crypto/rand"
	"encoding/hex"
	"math/big"
)

const alphanumerics = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// randomAlnum returns n random alphanumerics (the shape of Auth0's con_ and tok_ ids).
func randomAlnum(n int) string {
	b := make([]byte, n)
	n62 := big.NewInt(int64(len(alphanumerics)))
	for i := range b {
		k, err := rand.Int(rand.Reader, n62)
		if err != nil {
			panic(err)
		}
		b[i] = alphanumerics[k.Int64()]
	}
	return string(b)
}

// randomHex returns n random lowercase hex digits.
func randomHex(n int) string {
	b := make([]byte, (n+1)/2)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)[:n]
}
