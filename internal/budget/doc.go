// Package budget holds the request budgets of the provider as tests: the real Terraform CLI runs examples/complete
// with the built provider (through dev_overrides, so each provider process Terraform starts is a process of its own)
// against an in-process sandbox, and each test counts, in the sandbox's request log, the Auth0 Management API, Graph
// and token requests one command made. A change that adds a call fails them. They run under TF_ACC=1 (make test).
package budget
