// Command terraform-provider-auth0entra is the provider plugin (protocol 6).
package main

import (
	"context"
	"flag"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/parentwatch"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/provider"
)

// version is injected at link time with -ldflags "-X main.version=<version>": by make build and make install
// (the git-describe version of scripts/version.sh) and by goreleaser (the tag). "dev" is a plain `go build`.
var version = "dev"

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers like delve")
	flag.Parse()
	parentwatch.ExitWhenParentGone(debug) // no request leaves the provider once Terraform is gone

	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address: "registry.terraform.io/auth0entra/auth0entra",
		Debug:   debug,
	})
	if err != nil {
		log.Fatal(err)
	}
}
