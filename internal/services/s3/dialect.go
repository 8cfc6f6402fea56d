package s3

import (
	"github.com/fogbank/fogbank/internal/api"
	s3api "github.com/fogbank/fogbank/internal/api/s3"
)

// xmlNamespace is the xmlns S3 puts on every response root; the S3 model does
// not state it in its metadata.
const xmlNamespace = "http://s3.amazonaws.com/doc/2006-03-01/"

// dialect is how S3 departs from plain rest-xml: what the codecs and the gateway
// read instead of testing for S3 by name.
var dialect = api.Dialect{
	RequestID:       api.RequestIDHex,
	Unsigned:        true, // anonymous reads and browser POST uploads carry no other clue
	VirtualHosts:    true,
	EarlyContinue:   true,
	CORS:            api.CORSService,
	XMLNamespace:    xmlNamespace,
	TimestampMillis: true,
	Validation:      api.ValidationArgument,
	ResponseRoots:   responseRoots,
	// S3's API reference shows "HTTP/1.1 204 No Content" for these.
	NoContent: map[string]bool{"PutBucketPolicy": true},
}

func init() {
	s3api.Service.Dialect = dialect
	s3api.Service.Dialect.PseudoOperations = pseudoOperations
}

// responseRoots are S3's response root elements, as S3 writes them.
var responseRoots = map[string]string{
	"CompleteMultipartUpload":                    "CompleteMultipartUploadResult",
	"CreateMultipartUpload":                      "InitiateMultipartUploadResult",
	"CreateSession":                              "CreateSessionResult",
	"DeleteObjects":                              "DeleteResult",
	"GetBucketAccelerateConfiguration":           "AccelerateConfiguration",
	"GetBucketAcl":                               "AccessControlPolicy",
	"GetBucketCors":                              "CORSConfiguration",
	"GetBucketLifecycle":                         "LifecycleConfiguration",
	"GetBucketLifecycleConfiguration":            "LifecycleConfiguration",
	"GetBucketLocation":                          "LocationConstraint",
	"GetBucketLogging":                           "BucketLoggingStatus",
	"GetBucketNotification":                      "NotificationConfiguration",
	"GetBucketNotificationConfiguration":         "NotificationConfiguration",
	"GetBucketRequestPayment":                    "RequestPaymentConfiguration",
	"GetBucketTagging":                           "Tagging",
	"GetBucketVersioning":                        "VersioningConfiguration",
	"GetBucketWebsite":                           "WebsiteConfiguration",
	"GetObjectAcl":                               "AccessControlPolicy",
	"GetObjectAttributes":                        "GetObjectAttributesResponse",
	"GetObjectTagging":                           "Tagging",
	"ListBucketAnalyticsConfigurations":          "ListBucketAnalyticsConfigurationResult",
	"ListBucketIntelligentTieringConfigurations": "ListBucketIntelligentTieringConfigurationsOutput",
	"ListBucketInventoryConfigurations":          "ListInventoryConfigurationsResult",
	"ListBucketMetricsConfigurations":            "ListMetricsConfigurationsResult",
	"ListBuckets":                                "ListAllMyBucketsResult",
	"ListDirectoryBuckets":                       "ListAllMyDirectoryBucketsResult",
	"ListMultipartUploads":                       "ListMultipartUploadsResult",
	"ListObjectVersions":                         "ListVersionsResult",
	"ListObjects":                                "ListBucketResult",
	"ListObjectsV2":                              "ListBucketResult",
	"ListParts":                                  "ListPartsResult",
}
