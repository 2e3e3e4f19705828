/*
 * progress.c — progress of the live sources (PLACEHOLDER: schema only).
 */
#include "store/store_internal.h"

const char tw_store_progress_schema[] = "";
