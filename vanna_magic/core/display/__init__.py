"""How an answer looks: HTML for notebooks and text for terminals (``render``), what kind of values a
result column holds (``columns``), and one page of the rows (``paging``). No IPython here."""
