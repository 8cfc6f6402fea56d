// Package s3 implements Amazon S3 on fogbank's store: buckets, objects,
// listings, multipart uploads, versioning, configuration subresources, CORS
// preflight and browser POST uploads, and event notifications on the bus.
//
// # Storage
//
// Object bytes are blobs (files named by random ids, never by keys, so no key can
// reach outside the data directory); metadata lives in bbolt under s3/ (see the
// layout in service.go). A completed multipart upload keeps its parts' blobs as
// the object's segments, and CopyObject adds a reference to the source's blobs:
// neither copies bytes. Bodies are streamed in and out, never held in memory.
// Every acknowledged write is durable: the blob is fsynced before the metadata
// commit, which is group-committed with concurrent writers.
//
// # Covered
//
// CreateBucket (region rules, BucketAlreadyExists/OwnedByYou, name rules),
// HeadBucket, ListBuckets (prefix, pagination), DeleteBucket, GetBucketLocation;
// PutObject, GetObject (ranges, partNumber, conditionals, response-* overrides),
// HeadObject, DeleteObject, DeleteObjects, CopyObject (directives, copy-source
// conditions), GetObjectAttributes; Content-MD5 and the flexible checksums
// (CRC32, CRC32C, CRC64NVME, SHA1, SHA256) in headers and aws-chunked trailers;
// If-Match / If-None-Match on writes; ListObjects, ListObjectsV2,
// ListObjectVersions; multipart create/upload/copy/complete/abort/list with part
// rules, …-N ETags and composite checksums; versioning (enable, suspend, null
// versions, delete markers); tagging, policy (validated, not enforced), ACLs
// (canned, grant headers, bodies; not enforced), CORS, lifecycle (stored),
// encryption (SSE-S3 by default, SSE-KMS settings echoed, SSE-C keys demanded on
// read), object lock (retention, legal hold, default retention), ownership
// controls, public access block, website/accelerate/request-payment/logging
// (stored), notification configuration; S3 event records (version 2.1) published
// as bus.S3Event for every create and remove, filtered by the configuration.
//
// # Differs from AWS
//
//   - Permissions are not enforced: ACLs, bucket policies and public access
//     blocks are kept and returned only (enforcement comes with IAM). Any
//     account may use any bucket it can name.
//   - Bytes are not encrypted at rest whatever the SSE settings say.
//   - Lifecycle rules never expire or transition anything; storage classes are
//     labels (no restore needed for GLACIER objects).
//   - A full-object CRC of a multipart upload is the one the client states at
//     completion (combining part CRCs is not implemented); a new checksum
//     algorithm asked on CopyObject drops the checksum rather than recompute it.
//   - Objects carry no default CRC64NVME checksum when the client sent none.
//   - Error answers lose S3's extra headers (x-amz-delete-marker on a 404 for a
//     delete marker, Last-Modified on 304s): the codec writes only the error.
package s3
