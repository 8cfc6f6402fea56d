package s3

import (
	"github.com/fogbank/fogbank/internal/api"
)

// xmlNamespace is the xmlns S3 puts on every response root; the S3 model does
// not state it in its metadata.
const xmlNamespace = "http://s3.amazonaws.com/doc/2006-03-01/"

// Dialect is how S3 departs from plain rest-xml: what the codecs and the gateway
// read instead of testing for S3 by name.
var Dialect = api.Dialect{
	RequestID:        api.RequestIDHex,
	Unsigned:         true, // anonymous reads and browser POST uploads carry no other clue
	VirtualHosts:     true,
	EarlyContinue:    true,
	CORS:             api.CORSService,
	XMLNamespace:     xmlNamespace,
	TimestampMillis:  true,
	PseudoOperations: []*api.Operation{&postObjectOp, &preflightObjectOp, &preflightBucketOp, &preflightRootOp},
	Validation:       api.ValidationArgument,
	ResponseRoot:     responseRoot,
	// S3's API reference shows "HTTP/1.1 204 No Content" for these.
	NoContent: []string{"PutBucketPolicy"},
}

// responseRoot is the root element S3 writes for op's output where the model names none.
func responseRoot(op string) string {
	switch op {
	case "CompleteMultipartUpload":
		return "CompleteMultipartUploadResult"
	case "CreateMultipartUpload":
		return "InitiateMultipartUploadResult"
	case "CreateSession":
		return "CreateSessionResult"
	case "DeleteObjects":
		return "DeleteResult"
	case "GetBucketAccelerateConfiguration":
		return "AccelerateConfiguration"
	case "GetBucketAcl", "GetObjectAcl":
		return "AccessControlPolicy"
	case "GetBucketCors":
		return "CORSConfiguration"
	case "GetBucketLifecycle", "GetBucketLifecycleConfiguration":
		return "LifecycleConfiguration"
	case "GetBucketLocation":
		return "LocationConstraint"
	case "GetBucketLogging":
		return "BucketLoggingStatus"
	case "GetBucketNotification", "GetBucketNotificationConfiguration":
		return "NotificationConfiguration"
	case "GetBucketRequestPayment":
		return "RequestPaymentConfiguration"
	case "GetBucketTagging", "GetObjectTagging":
		return "Tagging"
	case "GetBucketVersioning":
		return "VersioningConfiguration"
	case "GetBucketWebsite":
		return "WebsiteConfiguration"
	case "GetObjectAttributes":
		return "GetObjectAttributesResponse"
	case "ListBucketAnalyticsConfigurations":
		return "ListBucketAnalyticsConfigurationResult"
	case "ListBucketIntelligentTieringConfigurations":
		return "ListBucketIntelligentTieringConfigurationsOutput"
	case "ListBucketInventoryConfigurations":
		return "ListInventoryConfigurationsResult"
	case "ListBucketMetricsConfigurations":
		return "ListMetricsConfigurationsResult"
	case "ListBuckets":
		return "ListAllMyBucketsResult"
	case "ListDirectoryBuckets":
		return "ListAllMyDirectoryBucketsResult"
	case "ListMultipartUploads":
		return "ListMultipartUploadsResult"
	case "ListObjectVersions":
		return "ListVersionsResult"
	case "ListObjects", "ListObjectsV2":
		return "ListBucketResult"
	case "ListParts":
		return "ListPartsResult"
	}
	return ""
}
