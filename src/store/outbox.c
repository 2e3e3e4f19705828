/*
 * outbox.c — the notification outbox table (PLACEHOLDER: schema only).
 */
#include "store/store_internal.h"

const char tw_store_outbox_schema[] = "";
