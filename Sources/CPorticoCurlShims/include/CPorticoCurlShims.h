#ifndef C_PORTICO_CURL_SHIMS_H
#define C_PORTICO_CURL_SHIMS_H

#include <curl/curl.h>
#include <sys/types.h>

// Fixed-signature wrappers for libcurl's variadic calls, which Swift cannot call directly.
// Each wrapper forwards one argument of one C type; the caller picks the variant that matches
// the option's documented type (long, char *, void *, curl_off_t, a list, a callback, a blob).

CURLcode portico_curl_easy_setopt_long(CURL *handle, CURLoption option, long value);
CURLcode portico_curl_easy_setopt_string(CURL *handle, CURLoption option, const char *value);
CURLcode portico_curl_easy_setopt_pointer(CURL *handle, CURLoption option, void *value);
CURLcode portico_curl_easy_setopt_off_t(CURL *handle, CURLoption option, curl_off_t value);
CURLcode portico_curl_easy_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value);
CURLcode portico_curl_easy_setopt_blob(CURL *handle, CURLoption option, struct curl_blob *value);

/// The signature of CURLOPT_WRITEFUNCTION and CURLOPT_HEADERFUNCTION.
typedef size_t (*portico_curl_write_callback)(char *data, size_t size, size_t count, void *userdata);
CURLcode portico_curl_easy_setopt_write_callback(CURL *handle, CURLoption option, portico_curl_write_callback callback);

CURLcode portico_curl_easy_getinfo_long(CURL *handle, CURLINFO info, long *value);

CURLMcode portico_curl_multi_setopt_long(CURLM *multi, CURLMoption option, long value);

/// Whether the linked libcurl supports HTTP/2 (CURL_VERSION_HTTP2 in its feature bits).
int portico_curl_supports_http2(void);

#endif
