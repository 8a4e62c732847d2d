"""The Методика as pure functions over plain data: CSI, Куд, Кмнк, Уs, Уар, Кпр, Кэф, levels."""
