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

// version is set by the release build (-ldflags "-X main.version=...").
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
