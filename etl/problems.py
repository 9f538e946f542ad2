"""Problems found in an import package: where (file, row, column), what (value) and why (zh + en).

Messages of the reader live here; messages of the SQL checks live in each check's header
(etl/checks/*.sql), next to the rule they describe.
"""

from __future__ import annotations

import csv
from dataclasses import asdict, dataclass
from pathlib import Path

# code -> (中文, English). {detail} is filled from the problem's detail.
READER_MESSAGES: dict[str, tuple[str, str]] = {
    "package_missing": ("找不到导入包（文件夹或 .zip）", "import package (folder or .zip) not found"),
    "package_not_folder_or_zip": ("导入包须为文件夹或 .zip 压缩包", "the import package must be a folder or a .zip"),
    "package_too_large": ("导入包过大（上限 {detail}）", "the package is too large (limit {detail})"),
    "bad_zip": ("压缩包已损坏或不是 zip 格式", "the file is not a readable zip archive"),
    "unsafe_zip_path": ("压缩包中的文件路径不安全（含 .. 或绝对路径），已拒绝",
                        "unsafe path in the zip (.. or absolute), refused"),
    "unsafe_zip_link": ("压缩包中含符号链接，已拒绝", "the zip holds a symbolic link, refused"),
    "zip_bomb": ("压缩包中的文件解压后异常巨大，已拒绝", "a zip entry decompresses to an implausible size, refused"),
    "zip_too_many_entries": ("压缩包中的文件过多（上限 {detail} 个）", "too many entries in the zip (limit {detail})"),
    "disk_space": ("磁盘空间不足：解压导入包需要 {detail}，已拒绝，未写入任何文件",
                   "not enough disk space: extracting the package needs {detail}; refused before writing anything"),
    "zip_entry_unreadable": ("压缩包中的文件无法解压（已损坏、加密或压缩方式不受支持）",
                             "a zip entry cannot be extracted (damaged, encrypted or an unsupported compression)"),
    "file_missing": ("缺少必需的文件", "a required file is missing"),
    "file_duplicate": ("同一数据表出现了两个文件（另一个见“值”）", "two files for the same table (the other one is in the value column)"),
    "file_ignored": ("无法识别的文件，已忽略", "unrecognised file, ignored"),
    "encoding_unknown": ("无法识别文件编码（应为 UTF-8 或 GB18030/GBK）",
                         "unknown text encoding (expected UTF-8 or GB18030/GBK)"),
    "csv_unreadable": ("CSV 文件无法解析", "the CSV file cannot be parsed"),
    "csv_record_too_large": ("CSV 中有一行（一条记录）超过 {detail}，常因引号未闭合",
                             "a CSV record (row) is longer than {detail}, often a quote left open"),
    "too_many_rows": ("文件行数过多（上限 {detail} 行）", "too many rows in the file (limit {detail})"),
    "too_many_columns": ("表头列数过多（上限 {detail} 列）", "too many columns in the header (limit {detail})"),
    "csv_field_count": ("本行的列数与表头不一致（表头有 {detail} 列）",
                        "this row's number of fields differs from the header ({detail} columns)"),
    "xlsx_unreadable": ("Excel 文件无法读取（已损坏或格式不符）", "the Excel file cannot be read (damaged or not a workbook)"),
    "xlsx_too_large": ("Excel 工作表范围过大（行数×列数上限 {detail} 个单元格）",
                       "the Excel sheet spans too many cells (rows x columns, limit {detail})"),
    "file_not_checked": ("此文件无法完整读取或表头有误，未能进一步检查；需要它的跨文件检查也已跳过：{detail}",
                         "this file could not be read in full or its header is broken, so it was not checked "
                         "further; the checks comparing other files with it were skipped too: {detail}"),
    "column_missing": ("缺少必需的列", "a required column is missing"),
    "column_duplicate": ("列名重复（与“{detail}”为同一列）", "duplicate column (the same column as an earlier header)"),
    "column_extra": ("多余的列，将被忽略", "extra column, ignored"),
    "boundaries_unreadable": ("边界文件无法读取（应为 GeoJSON 或压缩的 Shapefile）",
                              "the boundary file cannot be read (expected GeoJSON or a zipped Shapefile)"),
    "boundaries_no_code": ("边界要素缺少“区划代码”（或 code）属性", "boundary features lack a region code property (code)"),
    "boundaries_unknown_code": ("边界的区划代码不在区划表中", "boundary code not found in regions"),
    "boundaries_wrong_level": ("边界只能对应乡镇或村", "boundaries must belong to a township or a village"),
    "boundaries_duplicate": ("同一区划有多个边界要素", "more than one boundary feature for this region"),
    "boundaries_empty": ("边界几何为空或无效", "the boundary geometry is empty or invalid"),
    "boundaries_no_crs": ("边界文件未声明坐标系，按 WGS84 处理", "the boundary file declares no CRS; read as WGS84"),
    "reference_unreadable": ("参考表无法读取（data/reference 中的 CSV）：{detail}",
                             "a reference table (CSV in data/reference) cannot be read: {detail}"),
    "reference_rule_unknown": ("出列标准预设含无法判断的标准（可用：{detail}）",
                               "an exit rule preset names an unknown criterion (known: {detail})"),
    "reference_rule_threshold": ("该出列标准须有阈值", "this exit criterion needs a threshold"),
    "internal_constraint": ("数据库约束未通过：{detail}", "a database constraint failed: {detail}"),
}


@dataclass(frozen=True)
class Problem:
    severity: str  # "error" blocks the load; "warning" is reported and kept
    table: str  # contract table ("" for package-level problems)
    file: str  # file name as the user named it
    row_number: int | None  # as seen in Excel: header = 1
    column: str | None  # header as written by the user
    value: str | None
    check_name: str
    message_zh: str
    message_en: str

    @classmethod
    def from_code(cls, severity, table, file, row, column, value, code, detail=None) -> Problem:
        zh, en = READER_MESSAGES[code]
        detail = "" if detail is None else str(detail)
        return cls(severity, table, file, row, column, value, code, zh.format(detail=detail), en.format(detail=detail))

    @classmethod
    def error(cls, table, file, row, column, value, code, detail=None) -> Problem:
        return cls.from_code("error", table, file, row, column, value, code, detail)

    @classmethod
    def warning(cls, table, file, row, column, value, code, detail=None) -> Problem:
        return cls.from_code("warning", table, file, row, column, value, code, detail)

    @classmethod
    def file_error(cls, file, code, table="", value=None, detail=None) -> Problem:
        return cls.from_code("error", table, file, None, None, value, code, detail)

    @classmethod
    def file_warning(cls, file, code, table="", value=None, detail=None) -> Problem:
        return cls.from_code("warning", table, file, None, None, value, code, detail)

    def describe(self) -> str:
        where = self.file
        if self.row_number is not None:
            where += f" 第{self.row_number}行 (row {self.row_number})"
        if self.column:
            where += f" 列“{self.column}” (column {self.column})"
        value = f" 值 value={self.value!r}" if self.value not in (None, "") else ""
        return f"[{self.severity}] {where}{value}: {self.message_zh} / {self.message_en}"


class PackageError(Exception):
    """The package as a whole cannot be read; carries the problems found."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(p.message_en for p in problems))
        self.problems = problems


REPORT_COLUMNS = ["级别 severity", "文件 file", "行号 row", "列 column", "值 value", "检查 check", "原因", "reason"]


def masked(p: Problem) -> Problem:
    """The problem with names and ID numbers masked as the pages mask them (common/masking.py, the rule
    of queries/shared/macros.sql): its value when the column holds one, and the value a reason quotes.
    The rejects report and the command line show problems so; the row number and the masked value are
    enough to find the cell in the package."""
    from dataclasses import replace

    from common.masking import column_kind, mask, mask_reason

    kind = column_kind(p.column)
    return replace(p, value=mask(p.value, kind), message_zh=mask_reason(p.message_zh, p.check_name, kind),
                   message_en=mask_reason(p.message_en, p.check_name, kind))


def _report_rows(problems: list[Problem]):
    """The report's rows, masked: the file holds no personal data in clear."""
    for p in map(masked, problems):
        yield [p.severity, p.file, p.row_number, p.column, p.value, p.check_name, p.message_zh, p.message_en]


def write_rejects(problems: list[Problem], base: Path) -> tuple[Path, Path]:
    """Write the rejects report as <base>.csv (UTF-8 with BOM, opens in Excel) and <base>.xlsx, both
    created readable by their owner only (0600)."""
    import io

    import xlsxwriter

    from common.cells import neutralise
    from common.files import open_private

    csv_path, xlsx_path = base.with_suffix(".csv"), base.with_suffix(".xlsx")
    with open_private(csv_path, "w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(REPORT_COLUMNS)
        for row in _report_rows(problems):
            writer.writerow([neutralise(v) for v in row])
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"strings_to_formulas": False, "strings_to_urls": False,
                                            "in_memory": True})
    sheet = workbook.add_worksheet("问题清单 problems")
    bold = workbook.add_format({"bold": True, "font_name": "Noto Sans CJK SC", "bg_color": "#EEEEEE"})
    text = workbook.add_format({"font_name": "Noto Sans CJK SC"})
    sheet.write_row(0, 0, REPORT_COLUMNS, bold)
    for i, row in enumerate(_report_rows(problems), start=1):
        sheet.write_row(i, 0, [neutralise(v) for v in row], text)
    for col, width in enumerate([8, 22, 8, 18, 24, 26, 40, 50]):
        sheet.set_column(col, col, width)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(len(problems), 1), len(REPORT_COLUMNS) - 1)
    workbook.close()
    with open_private(xlsx_path, "wb") as f:
        f.write(buffer.getvalue())
    return csv_path, xlsx_path


def problems_as_dicts(problems: list[Problem]) -> list[dict]:
    return [asdict(p) for p in problems]
