"""zh_Hans: a form's first input format is the one its widgets render values in, and an
<input type="date"> shows only YYYY-MM-DD. Django's zh_Hans starts with %Y/%m/%d, which left
every prefilled date field of the Chinese pages empty (issue 11: "opening an update round
shows empty date fields"). The other formats are still accepted."""

DATE_INPUT_FORMATS = ["%Y-%m-%d", "%Y/%m/%d", "%Y年%n月%j日"]
DATETIME_INPUT_FORMATS = [
    "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M", "%Y年%n月%j日 %H:%M",
    "%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M:%S", "%Y年%n月%j日 %H:%M:%S",
    "%Y-%m-%d %H:%M:%S.%f", "%Y/%m/%d %H:%M:%S.%f", "%Y年%n月%j日 %H:%M:%S.%f",
]
