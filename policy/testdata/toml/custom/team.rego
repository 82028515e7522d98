package team

warn contains "from the custom folder" if true
