package entraclient

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/microsoftgraph/msgraph-sdk-go/applications"
	"github.com/microsoftgraph/msgraph-sdk-go/applicationtemplates"
	"github.com/microsoftgraph/msgraph-sdk-go/models"
	"github.com/microsoftgraph/msgraph-sdk-go/serviceprincipals"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// NonGalleryTemplateID is the application template of "Create your own application" (non-gallery).
const NonGalleryTemplateID = "8adf8e6e-67b2-4cf2-a259-e3dc5476c621"

// Markers of the applications this provider creates, so that an interrupted create can be found again and adopted
// instead of duplicated (an apply killed between /instantiate and the end of Create leaves an application that no
// state holds).
//
//   - /instantiate only takes a display name, so the application is instantiated under a creating-name,
//     "auth0entra-creating-" followed by a key derived from the configured display name: the window between
//     /instantiate and the first PATCH is covered by the name itself.
//   - The first PATCH sets the configured display name and adds the tag "auth0entra:enterprise-app:{key}" in the same
//     request, so the application is never without a marker.
//
// The key is the first 32 hex digits of SHA-256 of the configured display name. A user-made application cannot
// collide: its name would have to be exactly a creating-name, or it would have to carry the tag, which only this
// provider writes (tags are not shown or set by the Entra admin center's enterprise-app blades). Two configurations
// of this provider that use the same display_name in one tenant would adopt each other's interrupted creates; the
// documentation of display_name says so. An application renamed later keeps the tag of the name it was created
// with, so it is never adopted under its new name.
const (
	creatingPrefix  = "auth0entra-creating-"
	markerTagPrefix = "auth0entra:enterprise-app:"
)

// markerKey is the key of a configured display name.
func markerKey(displayName string) string {
	sum := sha256.Sum256([]byte(displayName))
	return hex.EncodeToString(sum[:])[:32]
}

// CreatingNamePrefix starts the display name of every application this provider is still creating (or whose create
// was interrupted before its first PATCH); the acceptance-test sweeper removes what is left under it.
const CreatingNamePrefix = creatingPrefix

// CreatingName is the display name an application is instantiated under, until it is marked and renamed.
func CreatingName(displayName string) string { return creatingPrefix + markerKey(displayName) }

// MarkerTag is the tag of an application this provider created with that display name.
func MarkerTag(displayName string) string { return markerTagPrefix + markerKey(displayName) }

// Application is an app registration.
type Application struct {
	ObjectID    string
	AppID       string
	DisplayName string
	TemplateID  string
	Tags        []string
}

// HasTag reports whether the application carries tag.
func (a *Application) HasTag(tag string) bool {
	for _, t := range a.Tags {
		if strings.EqualFold(t, tag) {
			return true
		}
	}
	return false
}

// ServicePrincipal is an enterprise application (service principal).
type ServicePrincipal struct {
	ID          string
	AppID       string
	DisplayName string
	// AppDisplayName is the display name of the application registration behind it, as Graph echoes it on the
	// service principal (microsoft-graph.md §3.2): a refresh reads the application's name without a lookup.
	AppDisplayName string
	AppRoles       []AppRole
}

// AppRole is one app role a service principal declares.
type AppRole struct {
	ID                 string
	DisplayName        string
	Value              string
	Enabled            bool
	AllowedMemberTypes []string
}

// RoleByDisplayName returns the enabled app role with that display name.
func (sp *ServicePrincipal) RoleByDisplayName(name string) (AppRole, bool) {
	for _, r := range sp.AppRoles {
		if r.DisplayName == name && r.Enabled {
			return r, true
		}
	}
	return AppRole{}, false
}

// EnterpriseApp is what instantiating the non-gallery template creates.
type EnterpriseApp struct {
	Application      Application
	ServicePrincipal ServicePrincipal
	// Warnings are things the caller should tell the user about, e.g. a duplicate application that could not be
	// removed.
	Warnings []string
	// Adopted is true when the application was left by an earlier, interrupted create and taken over instead of
	// instantiating a new one: its service principal may already have a job, assignments and credentials.
	Adopted bool
}

// maxInstantiateAttempts bounds how many times /instantiate is sent when it keeps answering 5xx without the
// application showing up.
const maxInstantiateAttempts = 3

// CreateEnterpriseApp makes sure exactly one enterprise application named displayName, created by this provider,
// exists, and returns it. It never re-sends /instantiate blindly:
//
//  1. Find before create: an application left by an interrupted create (under its creating-name, or under
//     displayName with the marker tag; see CreatingName and MarkerTag) is adopted; any further ones are our own
//     duplicates and are deleted.
//  2. Otherwise /instantiate is sent under the creating-name. An ambiguous answer — 404 (microsoft-graph.md §3.4), a
//     5xx, a lost answer — is followed by looking for the application by that name; only when it did not show up
//     within InstantiateLookupTimeout is the request sent again, and any duplicate that later turns up is deleted.
//  3. It waits until the application and its service principal can be read, then names the application displayName
//     and tags it with the marker in one PATCH, and renames the service principal.
//
// When the objects were created but a later step failed, it returns them together with the error, so the caller can
// record them; if the process dies instead, step 1 of the next apply finds them.
func (c *Client) CreateEnterpriseApp(ctx context.Context, displayName string) (*EnterpriseApp, error) {
	tmp := CreatingName(displayName)
	tag := MarkerTag(displayName)
	leftovers, err := c.FindLeftoverApps(ctx, displayName)
	if err != nil {
		return nil, err
	}
	var app *EnterpriseApp
	posts := 0
	if len(leftovers) > 0 {
		keep := leftovers[0]
		app = &EnterpriseApp{Application: keep, Adopted: true}
		tflog.Warn(ctx, "Adopting an enterprise application left by an interrupted create", map[string]any{"object_id": keep.ObjectID, "application_id": keep.AppID, "display_name": keep.DisplayName})
		app.Warnings = append(app.Warnings, fmt.Sprintf("Application %s (client id %s, named %q) was left in Entra by an earlier apply of this resource that was interrupted before it finished. It was adopted instead of creating a second one; the rest of its setup (assignments, job, credentials) is completed now.",
			keep.ObjectID, keep.AppID, keep.DisplayName))
		for _, extra := range leftovers[1:] {
			tflog.Warn(ctx, "Deleting a duplicate application left by an interrupted create", map[string]any{"object_id": extra.ObjectID})
			if err := c.DeleteApplication(ctx, extra.ObjectID); err != nil {
				app.Warnings = append(app.Warnings, fmt.Sprintf("Application %s (%q) is a duplicate left by an interrupted apply of this resource; deleting it failed (%s). Delete it in Entra admin center > App registrations.", extra.ObjectID, extra.DisplayName, errorSummary(err)))
			}
		}
	} else {
		app, posts, err = c.instantiate(ctx, tmp)
		if err != nil {
			return nil, err
		}
	}

	// The service principal: from the answer, or looked up by appId; either way wait until it can be read.
	var sp *ServicePrincipal
	err = c.waitUntil(ctx, "waiting for the new service principal", func(ctx context.Context) (bool, error) {
		var err error
		if app.ServicePrincipal.ID != "" {
			sp, err = c.GetServicePrincipal(ctx, app.ServicePrincipal.ID)
			if IsNotFound(err) {
				return false, nil
			}
		} else {
			sp, err = c.FindServicePrincipalByAppID(ctx, app.Application.AppID)
		}
		return sp != nil, err
	})
	if err != nil {
		return app, err
	}
	app.ServicePrincipal = *sp
	var current *Application
	if err := c.waitUntil(ctx, "waiting for the new application", func(ctx context.Context) (bool, error) {
		a, err := c.GetApplication(ctx, app.Application.ObjectID)
		if IsNotFound(err) {
			return false, nil
		}
		current = a
		return err == nil, err
	}); err != nil {
		return app, err
	}
	if posts > 1 {
		// An earlier /instantiate that answered ambiguously may have created an application after all: any other
		// application under the creating-name is a duplicate of ours.
		app.Warnings = append(app.Warnings, c.removeDuplicates(ctx, tmp, app.Application.ObjectID)...)
	}

	if err := c.markApplication(ctx, current, displayName, tag); err != nil {
		return app, err
	}
	if err := c.RenameEnterpriseApp(ctx, "", app.ServicePrincipal.ID, displayName); err != nil {
		return app, err
	}
	app.Application.DisplayName = displayName
	app.ServicePrincipal.DisplayName = displayName
	return app, nil
}

// FindLeftoverApps returns the applications an interrupted create of an enterprise application named displayName
// left behind: those under its creating-name, and those named displayName that carry its marker tag. Marked ones
// (further along) come first.
func (c *Client) FindLeftoverApps(ctx context.Context, displayName string) ([]Application, error) {
	tag := MarkerTag(displayName)
	named, err := c.FindApplicationsByDisplayName(ctx, displayName)
	if err != nil {
		return nil, err
	}
	var out []Application
	for _, a := range named {
		if a.HasTag(tag) {
			out = append(out, a)
		}
	}
	creating, err := c.FindApplicationsByDisplayName(ctx, CreatingName(displayName))
	if err != nil {
		return nil, err
	}
	return append(out, creating...), nil
}

// markApplication names the application displayName and adds the marker tag, in one PATCH (keeping its other tags).
func (c *Client) markApplication(ctx context.Context, app *Application, displayName, tag string) error {
	tags := append([]string(nil), app.Tags...)
	if !app.HasTag(tag) {
		tags = append(tags, tag)
	}
	if app.DisplayName == displayName && len(tags) == len(app.Tags) {
		return nil
	}
	op := "naming and marking the application"
	return c.retry(ctx, op, whileNotFound, func(ctx context.Context) error {
		body := models.NewApplication()
		body.SetDisplayName(&displayName)
		body.SetTags(tags)
		_, err := c.graph.Applications().ByApplicationId(app.ObjectID).Patch(ctx, body, nil)
		return wrapErr(op, err)
	})
}

// instantiate sends /instantiate under the temporary name tmp and returns what it created, and how many times it
// sent the request.
func (c *Client) instantiate(ctx context.Context, tmp string) (*EnterpriseApp, int, error) {
	const op = "instantiating the non-gallery application template"
	for attempt := 1; ; attempt++ {
		body := applicationtemplates.NewItemInstantiatePostRequestBody()
		body.SetDisplayName(&tmp)
		res, err := c.graph.ApplicationTemplates().ByApplicationTemplateId(NonGalleryTemplateID).Instantiate().Post(ctx, body, nil)
		err = wrapErr(op, err)

		switch {
		case err == nil && res != nil && res.GetApplication() != nil && res.GetServicePrincipal() != nil:
			return &EnterpriseApp{Application: toApplication(res.GetApplication()), ServicePrincipal: toServicePrincipal(res.GetServicePrincipal())}, attempt, nil

		case err == nil || IsNotFound(err):
			// 404 (or an empty answer) from /instantiate usually means the objects were created anyway: find them,
			// waiting as long as replication may take.
			tflog.Info(ctx, "The application template answered without the new application; looking it up by its temporary name", map[string]any{"temporary_name": tmp})
			found, werr := c.findInstantiated(ctx, tmp, c.replicationTimeout())
			if werr != nil {
				if e := AsError(werr); e != nil && e.StatusCode == 0 && err != nil {
					// Say what happened first: /instantiate answered 404 and nothing appeared.
					return nil, attempt, &Error{Op: op, StatusCode: StatusCode(err),
						Message: fmt.Sprintf("the service answered 404 and no application named %s appeared afterwards (%s); check the permissions Application.ReadWrite.All and run apply again", tmp, e.Message)}
				}
				return nil, attempt, werr
			}
			return &EnterpriseApp{Application: *found}, attempt, nil

		case isServerError(err) || isLostAnswer(ctx, err):
			// A 5xx or a lost answer may come after the objects were created. Look for them before sending the request again.
			tflog.Warn(ctx, "The application template answered with a server error; looking for the application by its temporary name before trying again", map[string]any{
				"temporary_name": tmp, "status": StatusCode(err), "attempt": attempt, "error": errorSummary(err),
			})
			found, werr := c.findInstantiated(ctx, tmp, c.instantiateLookupTimeout())
			if werr == nil {
				tflog.Info(ctx, "The application was created despite the server error; using it", map[string]any{"temporary_name": tmp, "object_id": found.ObjectID})
				return &EnterpriseApp{Application: *found}, attempt, nil
			}
			if e := AsError(werr); e == nil || e.StatusCode != 0 || ctx.Err() != nil {
				// Looking failed for another reason (or the time ran out): report that.
				return nil, attempt, werr
			}
			if attempt >= maxInstantiateAttempts {
				e := *AsError(err)
				e.Message = fmt.Sprintf("%s; no application named %s appeared after %d attempts, so none was created. Microsoft Graph is having trouble: run apply again later", e.Message, tmp, attempt)
				return nil, attempt, &e
			}
			tflog.Info(ctx, "No application appeared after the server error; instantiating again under the same temporary name", map[string]any{"temporary_name": tmp, "attempt": attempt + 1})

		default:
			return nil, attempt, err
		}
	}
}

// findInstantiated polls for the application named tmp for at most within (and the context's deadline). An *Error
// with StatusCode 0 means it did not appear in time.
func (c *Client) findInstantiated(ctx context.Context, tmp string, within time.Duration) (*Application, error) {
	var found *Application
	err := c.waitUntilWithin(ctx, "finding the instantiated application", within, func(ctx context.Context) (bool, error) {
		apps, err := c.FindApplicationsByDisplayName(ctx, tmp)
		if err != nil {
			return false, err
		}
		if len(apps) > 0 {
			found = &apps[0]
			return true, nil
		}
		return false, nil
	})
	return found, err
}

// removeDuplicates deletes every application named tmp other than keep, and returns warnings for those it could not.
func (c *Client) removeDuplicates(ctx context.Context, tmp, keep string) []string {
	apps, err := c.FindApplicationsByDisplayName(ctx, tmp)
	if err != nil {
		return []string{fmt.Sprintf("Microsoft Graph answered a server error to /instantiate, which was then sent again. Looking for a duplicate application named %s failed (%s): check Entra admin center > App registrations for it and delete it.", tmp, errorSummary(err))}
	}
	var warnings []string
	for _, a := range apps {
		if strings.EqualFold(a.ObjectID, keep) {
			continue
		}
		tflog.Warn(ctx, "Deleting a duplicate application created by an /instantiate that answered a server error", map[string]any{"object_id": a.ObjectID, "temporary_name": tmp})
		if err := c.DeleteApplication(ctx, a.ObjectID); err != nil {
			warnings = append(warnings, fmt.Sprintf("Microsoft Graph answered a server error to /instantiate but created application %s (%s) anyway; deleting that duplicate failed (%s). Delete it in Entra admin center > App registrations.", a.ObjectID, tmp, errorSummary(err)))
		}
	}
	return warnings
}

// isLostAnswer reports a request whose answer never came (a reset connection, a stalled server) while the operation
// still has time: the request may or may not have been carried out.
func isLostAnswer(ctx context.Context, err error) bool {
	e := AsError(err)
	return e != nil && e.StatusCode == 0 && !e.Auth && !e.Unreachable && ctx.Err() == nil
}

// isServerError reports a 5xx answer.
func isServerError(err error) bool {
	code := StatusCode(err)
	return code >= 500 && code <= 599
}

// RenameEnterpriseApp sets the display name of the application and of its service principal (the portal shows both).
func (c *Client) RenameEnterpriseApp(ctx context.Context, appObjectID, servicePrincipalID, displayName string) error {
	if appObjectID != "" {
		err := c.retry(ctx, "renaming the application", whileNotFound, func(ctx context.Context) error {
			body := models.NewApplication()
			body.SetDisplayName(&displayName)
			_, err := c.graph.Applications().ByApplicationId(appObjectID).Patch(ctx, body, nil)
			return wrapErr("renaming the application", err)
		})
		if err != nil {
			return err
		}
	}
	if servicePrincipalID == "" {
		return nil
	}
	return c.retry(ctx, "renaming the service principal", whileNotFound, func(ctx context.Context) error {
		body := models.NewServicePrincipal()
		body.SetDisplayName(&displayName)
		_, err := c.graph.ServicePrincipals().ByServicePrincipalId(servicePrincipalID).Patch(ctx, body, nil)
		return wrapErr("renaming the service principal", err)
	})
}

// GetApplication reads an application by object id.
func (c *Client) GetApplication(ctx context.Context, objectID string) (*Application, error) {
	a, err := c.graph.Applications().ByApplicationId(objectID).Get(ctx, nil)
	if err != nil {
		return nil, wrapErr("reading application "+objectID, err)
	}
	app := toApplication(a)
	return &app, nil
}

// FindApplicationByAppID returns the app registration with that application (client) id, or nil when there is none.
func (c *Client) FindApplicationByAppID(ctx context.Context, appID string) (*Application, error) {
	apps, err := c.listApplications(ctx, fmt.Sprintf("appId eq '%s'", odataQuote(appID)))
	if err != nil {
		return nil, wrapErr("looking up the application with client id "+appID, err)
	}
	for _, a := range apps {
		if strings.EqualFold(a.AppID, appID) {
			return &a, nil
		}
	}
	return nil, nil
}

// FindApplicationsByDisplayName returns the applications with exactly that display name.
func (c *Client) FindApplicationsByDisplayName(ctx context.Context, name string) ([]Application, error) {
	apps, err := c.listApplications(ctx, fmt.Sprintf("displayName eq '%s'", odataQuote(name)))
	if err != nil {
		return nil, wrapErr("looking up applications named "+name, err)
	}
	var out []Application
	for _, a := range apps {
		if a.DisplayName == name {
			out = append(out, a)
		}
	}
	return out, nil
}

func (c *Client) listApplications(ctx context.Context, filter string) ([]Application, error) {
	cfg := &applications.ApplicationsRequestBuilderGetRequestConfiguration{
		QueryParameters: &applications.ApplicationsRequestBuilderGetQueryParameters{Filter: &filter},
	}
	var out []Application
	page, err := c.graph.Applications().Get(ctx, cfg)
	for pages := 0; err == nil && page != nil && pages < 100; pages++ {
		for _, a := range page.GetValue() {
			out = append(out, toApplication(a))
		}
		next := deref(page.GetOdataNextLink())
		if next == "" {
			break
		}
		page, err = c.graph.Applications().WithUrl(next).Get(ctx, nil)
	}
	return out, err
}

// DeleteApplication deletes an application (its service principal goes with it) and waits until it is gone.
// A missing application is not an error.
func (c *Client) DeleteApplication(ctx context.Context, objectID string) error {
	err := c.graph.Applications().ByApplicationId(objectID).Delete(ctx, nil)
	if err = wrapErr("deleting application "+objectID, err); err != nil && !IsNotFound(err) {
		return err
	}
	return c.waitUntil(ctx, "waiting for the application to be deleted", func(ctx context.Context) (bool, error) {
		_, err := c.GetApplication(ctx, objectID)
		if IsNotFound(err) {
			return true, nil
		}
		return false, err
	})
}

// GetServicePrincipal reads a service principal by object id.
func (c *Client) GetServicePrincipal(ctx context.Context, id string) (*ServicePrincipal, error) {
	sp, err := c.graph.ServicePrincipals().ByServicePrincipalId(id).Get(ctx, nil)
	if err != nil {
		return nil, wrapErr("reading service principal "+id, err)
	}
	out := toServicePrincipal(sp)
	return &out, nil
}

// FindServicePrincipalByAppID returns the service principal of an application (client) id, or nil.
func (c *Client) FindServicePrincipalByAppID(ctx context.Context, appID string) (*ServicePrincipal, error) {
	filter := fmt.Sprintf("appId eq '%s'", odataQuote(appID))
	res, err := c.graph.ServicePrincipals().Get(ctx, &serviceprincipals.ServicePrincipalsRequestBuilderGetRequestConfiguration{
		QueryParameters: &serviceprincipals.ServicePrincipalsRequestBuilderGetQueryParameters{Filter: &filter},
	})
	if err != nil {
		return nil, wrapErr("looking up the service principal of client id "+appID, err)
	}
	for _, sp := range res.GetValue() {
		if strings.EqualFold(deref(sp.GetAppId()), appID) {
			out := toServicePrincipal(sp)
			return &out, nil
		}
	}
	return nil, nil
}

// Principal types an app role can be assigned to.
const (
	PrincipalUser  = "User"
	PrincipalGroup = "Group"
)

// GetPrincipal reads a user or a group and returns its display name.
func (c *Client) GetPrincipal(ctx context.Context, id, principalType string) (string, error) {
	switch principalType {
	case PrincipalUser:
		u, err := c.graph.Users().ByUserId(id).Get(ctx, nil)
		if err != nil {
			return "", wrapErr("reading user "+id, err)
		}
		return deref(u.GetDisplayName()), nil
	case PrincipalGroup:
		g, err := c.graph.Groups().ByGroupId(id).Get(ctx, nil)
		if err != nil {
			return "", wrapErr("reading group "+id, err)
		}
		return deref(g.GetDisplayName()), nil
	}
	return "", fmt.Errorf("unsupported principal type %q", principalType)
}

func toApplication(a models.Applicationable) Application {
	if a == nil {
		return Application{}
	}
	return Application{
		ObjectID:    deref(a.GetId()),
		AppID:       deref(a.GetAppId()),
		DisplayName: deref(a.GetDisplayName()),
		TemplateID:  deref(a.GetApplicationTemplateId()),
		Tags:        a.GetTags(),
	}
}

func toServicePrincipal(sp models.ServicePrincipalable) ServicePrincipal {
	if sp == nil {
		return ServicePrincipal{}
	}
	out := ServicePrincipal{ID: deref(sp.GetId()), AppID: deref(sp.GetAppId()), DisplayName: deref(sp.GetDisplayName()), AppDisplayName: deref(sp.GetAppDisplayName())}
	for _, r := range sp.GetAppRoles() {
		if r == nil {
			continue
		}
		role := AppRole{DisplayName: deref(r.GetDisplayName()), Value: deref(r.GetValue()), AllowedMemberTypes: r.GetAllowedMemberTypes(), Enabled: true}
		if id := r.GetId(); id != nil {
			role.ID = id.String()
		}
		if e := r.GetIsEnabled(); e != nil {
			role.Enabled = *e
		}
		out.AppRoles = append(out.AppRoles, role)
	}
	return out
}

// odataQuote escapes a string literal for $filter.
func odataQuote(s string) string { return strings.ReplaceAll(s, "'", "''") }
