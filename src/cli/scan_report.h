/*
 * scan_report.h — printing the result of `trailwatch scan` (scan_report.c).
 */
#ifndef TW_SCAN_REPORT_H
#define TW_SCAN_REPORT_H

#include "config/config.h"
#include "scan/scan.h"

void tw_scan_print_table(const tw_config *cfg, const tw_scan_result *r);
int tw_scan_print_json(const tw_config *cfg, const tw_scan_result *r);

#endif /* TW_SCAN_REPORT_H */
