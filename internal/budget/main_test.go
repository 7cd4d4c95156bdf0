package budget_test

import (
	"testing"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/acctest"
)

func TestMain(m *testing.M) { acctest.Main(m) }
