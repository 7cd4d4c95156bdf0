// Package chaos holds the crash and fault matrices: Go tests that apply examples/complete through the real
// Terraform CLI (the provider built once and installed through dev_overrides) against the in-process sandbox, and
// interrupt or fault the apply, then re-apply, plan, destroy and count what is left in both clouds.
//
//   - Crash matrix: for every k of a clean apply's requests (both clouds, in order), kill `terraform` — and, in a
//     second pass, the provider process — right after the sandbox carried out the k-th request and before its answer
//     leaves. Then `terraform apply` again must succeed, `terraform plan` must be empty, there must be exactly one
//     object per resource, and after `terraform destroy` nothing the provider created may be left.
//   - Fault matrix: for every route of a clean apply, one fault (429 with and without Retry-After, 500, 503, a slow
//     answer, a 500 after the request was carried out) on its first request, with the same checks.
//
// `make chaos` runs both whole (CHAOS=1) and prints, per cloud, the runs, how many converged and the orphans left.
// Without CHAOS, a small deterministic subset runs with the acceptance tests (TF_ACC): kills right after the Auth0
// writes whose answer matters most (SCIM configuration and token creation).
package chaos
