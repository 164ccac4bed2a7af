/*
 * export.h - the year of a workspace as one .zip, for the archive (kaohe
 * workspace export, and the page's download of it):
 *
 *   考核结果排名.xlsx              the ranking of the workspace's checklists,
 *                                 with its 更正记录 sheet
 *   变更记录.xlsx                  the journal: 检查表更正记录, 佐证材料记录,
 *                                 填报考评记录 (the online answers and status)
 *   UNIT/NAME                     the unit's current checklist, as uploaded
 *   UNIT/评分表.xlsx               its scoresheet
 *   UNIT/1.1 学习记录/NAME         its evidence, per check point (id and label)
 *
 * Every name made safe for every file system (kh_safe_filename) and unique
 * within its folder, case and width ignored ("(2)" before the extension);
 * a unit under two rubrics has a folder per rubric ("UNIT-乡镇").  Names are
 * UTF-8 with the zip's UTF-8 flag (kh_archive_pack_files): unzip, 7-Zip,
 * Windows Explorer and Python read them as they are.
 */
#ifndef KH_EXPORT_H
#define KH_EXPORT_H

#include "workspace.h"

/* Export the open workspace w to a new zip at path (written to a
 * temporary and put in place when complete), scoring against the rubrics
 * of reg and those the workspace keeps.  Problems of single files
 * (a checklist that no longer passes, an evidence file missing) are
 * notes in d and the rest is exported; KH_ERR_IO / KH_ERR_NOMEM when the
 * archive cannot be made. */
kh_status kh_ws_export(kh_workspace *w, const kh_registry *reg, const char *path, kh_diags *d);

#endif
