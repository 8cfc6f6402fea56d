// Package s3 implements Amazon S3 on fogbank's store: buckets, objects,
// listings, multipart uploads, versioning, configuration subresources, access
// control, CORS preflight and browser POST uploads, and event notifications
// written to the outbox.
//
// # Storage
//
// Object bytes are blobs (named by random ids, never by keys, so no key can reach
// outside the data directory; blobs under 64 KiB live inside the database);
// metadata lives in bbolt under s3/ (the layout is in service.go). A completed
// multipart upload keeps its parts' blobs as the object's segments, and CopyObject
// adds a reference to the source's blobs: neither copies bytes. Bodies are
// streamed in and out, never held whole in memory. Every acknowledged write is
// durable: the blob is fsynced before the metadata commit, which is
// group-committed with concurrent writers. A GET reads the object it found to
// the last byte, whatever happens to the key meanwhile (S3 does the same): a
// one-segment read keeps its blob open, a multipart one holds its segments
// (store.HoldBlobs), whose storage is freed when the GET ends. A write that
// finds the disk full answers 503 ServiceUnavailable, which SDKs retry.
//
// # Covered
//
// CreateBucket (region rules, BucketAlreadyExists/OwnedByYou, name rules),
// HeadBucket, ListBuckets (prefix, pagination), DeleteBucket, GetBucketLocation;
// PutObject, GetObject (ranges, partNumber, conditionals, response-* overrides),
// HeadObject, DeleteObject, DeleteObjects, CopyObject (directives, copy-source
// conditions), GetObjectAttributes, RestoreObject (completes at once); Content-MD5 and the flexible checksums
// (CRC32, CRC32C, CRC64NVME, SHA1, SHA256) in headers and aws-chunked trailers;
// If-Match / If-None-Match on writes; ListObjects, ListObjectsV2,
// ListObjectVersions (encoding-type=url as S3 encodes); multipart
// create/upload/copy/complete/abort/list with part rules, …-N ETags, composite
// checksums and repeated completion; versioning (enable, suspend, null versions,
// delete markers); tagging, policy, ACLs (canned, grant headers, bodies), CORS,
// lifecycle (validated, stored), encryption (SSE-S3 by default, SSE-KMS settings
// echoed, SSE-C keys demanded on read), object lock (retention, legal hold,
// default retention), ownership controls, public access block,
// website/accelerate/request-payment/logging (stored), notification
// configuration; browser POST uploads with SigV2 or SigV4 signed policies;
// S3 event records (version 2.1, s3event.Event) on every create, remove, restore
// and tagging change that a destination's events and filters match, appended to
// the outbox queue s3event.Topic in the transaction of the change (notify.go),
// so an acknowledged write owes its event even across kill -9. Nothing is
// written while the topic has no registered consumer.
//
// # Access control
//
// S3's own half is enforced (access.go): the bucket owner may do anything; other
// accounts and anonymous callers need an ACL grant or a bucket policy statement;
// an explicit Deny binds everyone. Policy conditions are evaluated for the String,
// Numeric, Bool and Null operators (and IfExists) over the condition keys S3
// requests carry (ACL, grant and SSE headers, request and existing object tags,
// copy source, metadata directive, prefix/delimiter/max-keys). Object ownership
// (BucketOwnerEnforced/Preferred) and the public access block apply.
//
// # Differs from AWS
//
//   - IAM identity policies of the caller are not consulted (that comes with
//     IAM); a bucket with no ObjectOwnership setting behaves as ObjectWriter
//     (AWS makes new buckets BucketOwnerEnforced), so ACLs work as they always did.
//   - Bytes are not encrypted at rest whatever the SSE settings say.
//   - Lifecycle rules never expire or transition anything; storage classes are
//     labels (no restore needed for GLACIER objects).
//   - A full-object CRC of a multipart upload is the one the client states at
//     completion (combining part CRCs is not implemented); a new checksum
//     algorithm asked on CopyObject drops the checksum rather than recompute it.
//   - Objects carry no default CRC64NVME checksum when the client sent none.
//   - POST policies signed with keys fogbank does not know are accepted
//     unverified, as header signatures are.
//   - Notifications reach only consumers of the outbox topic: delivery to SQS,
//     SNS and Lambda comes with those services (each a consumer that delivers
//     the events whose targets are its own). Destinations are not validated.
//   - Object times have whole-second precision and round up (S3 keeps seconds
//     too; rounding up keeps aws s3 sync from re-uploading files written in the
//     same second as their upload).
//   - The ceph/s3-tests failures that remain, with their reasons, are listed in
//     docs/s3-tests-failures.md.
package s3
