# Warnings for our own targets: botdesk_warnings(<target>)
function(botdesk_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic)
endfunction()
