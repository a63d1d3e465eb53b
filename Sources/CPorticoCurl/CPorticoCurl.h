#ifndef C_PORTICO_CURL_H
#define C_PORTICO_CURL_H

#include <curl/curl.h>

#endif
