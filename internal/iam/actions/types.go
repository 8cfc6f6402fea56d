package actions

import (
	"github.com/fogbank/fogbank/internal/lazy"
	"strings"
)

//go:generate go run ./gen

// Service is what the Service Authorization Reference says of one service
// prefix (tables_gen.go).
type Service struct {
	Prefix        string
	Actions       map[string]*Action // by lower-case name
	ResourceTypes map[string]*ResourceType
}

// Action is one IAM action.
type Action struct {
	Name   string // "GetObject"
	Access string // "Read", "Write", "List", "Tagging", "Permissions management"
	// Resources are the resource types the action applies to; Required
	// ones are all checked, of the others the one the request names.
	Resources     []ResourceRef
	ConditionKeys []string // the request's condition keys besides the resource types'
}

// ResourceRef names a resource type of an action.
type ResourceRef struct {
	Type     string
	Required bool
}

// ResourceType is a resource type: its ARN format
// ("arn:${Partition}:s3:::${BucketName}/${ObjectName}") and condition keys.
type ResourceType struct {
	ARN           string
	ConditionKeys []string
}

// Lookup finds an action by its name ("s3:GetObject", any case); nil when
// the reference has no such action.
func Lookup(action string) *Action {
	prefix, name, ok := strings.Cut(action, ":")
	if !ok {
		return nil
	}
	s := services.Get()[strings.ToLower(prefix)]
	if s == nil {
		return nil
	}
	return s.Actions[strings.ToLower(name)]
}

// LookupService finds a service prefix's tables; nil when fogbank has none.
func LookupService(prefix string) *Service { return services.Get()[strings.ToLower(prefix)] }

// services is the reference's tables, built on first use (tables_gen.go).
var services = lazy.Value[map[string]*Service]{New: buildServices}
