/*
 * ECDSA signatures as OpenSSL gives them (DER), read into DNSSEC's r||s
 * by keys_ecdsa_der_to_raw, which does by hand what d2i_ECDSA_SIG does.
 * The first byte picks the curve's size (P-256 or P-384), the rest is the
 * DER. Whatever we accept, OpenSSL must read as the same r and s; and
 * whatever OpenSSL reads that is DER exactly (it encodes it back byte for
 * byte) with r and s that fit, we must accept. Else: abort.
 */
#include <openssl/ec.h>
#include <openssl/err.h>

#include "fuzz.h"
#include "keys/keys_internal.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t ours[96], theirs[96];
	const unsigned char *p;
	unsigned char *back = NULL;
	const BIGNUM *r, *s;
	ECDSA_SIG *sig;
	size_t n;
	bool accepted, fits = false, canonical = false;

	if (size < 1)
		return 0;
	n = data[0] & 1 ? 48 : 32;
	data++;
	size--;
	accepted = keys_ecdsa_der_to_raw(data, size, n, ours) == 0;
	p = data;
	sig = d2i_ECDSA_SIG(NULL, &p, (long)size);
	if (sig != NULL && p == data + size) {
		int len = i2d_ECDSA_SIG(sig, &back);
		canonical = len > 0 && (size_t)len == size &&
		    memcmp(back, data, size) == 0;
		ECDSA_SIG_get0(sig, &r, &s);
		fits = !BN_is_negative(r) && !BN_is_negative(s) &&
		    BN_bn2binpad(r, theirs, (int)n) == (int)n &&
		    BN_bn2binpad(s, theirs + n, (int)n) == (int)n;
	}
	if (accepted && !(sig != NULL && canonical && fits &&
	    memcmp(ours, theirs, 2 * n) == 0))
		abort();
	if (!accepted && canonical && fits)
		abort();
	OPENSSL_free(back);
	ECDSA_SIG_free(sig);
	ERR_clear_error();
	return 0;
}
