// Command provision-on-demand runs Entra's Provision on Demand for one user (or one group), as the portal's button
// does, and prints each step. It is the same Go API as the auth0entra_provision_on_demand action, for Terraform < 1.14 and
// for scripts. Credentials come from the ARM_* environment, exactly as for the provider.
//
//	provision-on-demand -service-principal-id SP -job-id JOB -user-id OBJECT_ID
//	provision-on-demand -service-principal-id SP -job-id JOB -group-id OBJECT_ID [-member-ids ID,ID,...]
//
// Exit status: 0 when the object (and every member named) was provisioned, 2 when Entra reported a failure or a
// skip, 1 on other errors.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/entraclient"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/provider"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/provisioning"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/provisionondemand"
)

func main() {
	sp := flag.String("service-principal-id", "", "service principal of the enterprise app")
	job := flag.String("job-id", "", "provisioning job id")
	user := flag.String("user-id", "", "Entra object id of the user to provision")
	group := flag.String("group-id", "", "Entra object id of the group to provision (instead of -user-id)")
	members := flag.String("member-ids", "", fmt.Sprintf("with -group-id: comma-separated Entra object ids of up to %d of its members to provision with it", provisioning.MaxMembers))
	timeout := flag.Duration("timeout", 2*time.Minute, "give up after this long")
	flag.Parse()
	objectID, objectType := *user, "User"
	if *group != "" {
		objectID, objectType = *group, "Group"
	}
	if *sp == "" || *job == "" || (*user == "") == (*group == "") || (*members != "" && *group == "") {
		flag.Usage()
		os.Exit(1)
	}
	var memberIDs []string
	for _, id := range strings.Split(*members, ",") {
		if id = strings.TrimSpace(id); id != "" {
			memberIDs = append(memberIDs, id)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()

	cfg, diags := provider.EntraConfigFromEnvironment()
	if diags.HasError() {
		for _, d := range diags.Errors() {
			fmt.Fprintf(os.Stderr, "%s: %s\n", d.Summary(), d.Detail())
		}
		os.Exit(1)
	}
	client, err := entraclient.New(ctx, *cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	r, err := provisioning.OnDemand(ctx, client, provisioning.Request{ServicePrincipalID: *sp, JobID: *job, ObjectID: objectID, ObjectType: objectType, MemberIDs: memberIDs})
	if err != nil {
		fmt.Fprintln(os.Stderr, "provision on demand:", err)
		os.Exit(1)
	}
	fmt.Println(provisionondemand.Explain(r))
	if !r.AllSucceeded() {
		os.Exit(2)
	}
}
