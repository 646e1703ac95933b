function __chop_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __chop_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __chop_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __chop_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __chop_parse_tokens -S
    set -l unparsed_tokens (__chop_tokens -pc)
    switch $unparsed_tokens[1]
    case 'chop'
        __chop_parse_subcommand -r 1 'local=+' 'sudo=+' 'hosts-file=' 'i/inventory=+' 'timeout=' 'connect-timeout=' 'persist=' 'fanout=' 'python=' 'F/ssh-config=' 'o/ssh-option=+' 'c=' 'f/file=' 'e/errexit' 'q/quiet' 'json' 'no-color' 'no-init' 'password-fd=' 'version' 'h/help'
        switch $unparsed_tokens[1]
        case 'help'
            __chop_parse_subcommand -r 1 'version'
        end
    end
end

function __chop_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __chop_parse_subcommand -S -a positional_count
    argparse -s r -- $argv
    set -l option_specs $argv[2..]
    set -l is_repeating_positional $_flag_r
    set -el _flag_r
    set -a commands $unparsed_tokens[1]
    set positional_index 0
    while true
        set -e unparsed_tokens[1]
        argparse -sn "$commands" $option_specs -- $unparsed_tokens 2> /dev/null
        set unparsed_tokens $argv
        set positional_index (math $positional_index + 1)
        for non_repeating_flag_or_option in $non_repeating_flags_or_options
            if set -ql "_flag_$(string replace -a - _ -- $non_repeating_flag_or_option)"
                set non_repeating_flags_or_options_absent 1
                break
            end
        end
        test (count $unparsed_tokens) -eq 0 -o \( -z "$is_repeating_positional" -a "$positional_index" -gt "$positional_count" \) && break
    end
end

function __chop_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __chop_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__chop_tokens -p)
    if test -z "$(__chop_tokens -t)"
        set -l index (count (__chop_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'chop' -f
complete -c 'chop' -n '__chop_should_offer_completions_for_positional "chop" -ge 1' -fka '(__chop_custom_completion ---completion -- positional@0 (count (__chop_tokens -pc)) (__chop_tokens -tC))'
complete -c 'chop' -n '__chop_should_offer_completions_for_flags_or_options "chop"' -l 'local' -d 'Add a Local member with this name.' -rfka ''
complete -c 'chop' -n '__chop_should_offer_completions_for_flags_or_options "chop"' -l 'sudo' -d 'Add a Sudo member running as this user.' -rfka ''
complete -c 'chop' -n '__chop_should_offer_completions_for_flags_or_options "chop" hosts-file' -l 'hosts-file' -d 'Add the hosts listed in this file (one per line, # comments).' -rF
complete -c 'chop' -n '__chop_should_offer_completions_for_flags_or_options "chop"' -s 'i' -l 'inventory' -d 'Read an Ansible inventory or ClusterShell group file (repeatable); \'add @GROUP\' adds its hosts.' -rF
complete -c 'chop' -n '__chop_should_offer_completions_for_flags_or_options "chop" timeout' -l 'timeout' -d 'Seconds a command may run on each host (default: no limit).' -rfka ''
complete -c 'chop' -n '__chop_should_offer_completions_for_flags_or_options "chop" connect-timeout' -l 'connect-timeout' -d 'Seconds a host may take to connect.' -rfka ''
complete -c 'chop' -n '__chop_should_offer_completions_for_flags_or_options "chop" persist' -l 'persist' -d 'Seconds ssh connections stay open for the next run (default 60), or off.' -rfka ''
complete -c 'chop' -n '__chop_should_offer_completions_for_flags_or_options "chop" fanout' -l 'fanout' -d 'How many hosts to work on at once (default 64).' -rfka ''
complete -c 'chop' -n '__chop_should_offer_completions_for_flags_or_options "chop" python' -l 'python' -d 'The Python interpreter on the hosts (default: discover one).' -rfka ''
complete -c 'chop' -n '__chop_should_offer_completions_for_flags_or_options "chop" F ssh-config' -s 'F' -l 'ssh-config' -d 'An ssh config file for SSH hosts.' -rF
complete -c 'chop' -n '__chop_should_offer_completions_for_flags_or_options "chop"' -s 'o' -l 'ssh-option' -d 'An ssh -o option.' -rfka ''
complete -c 'chop' -n '__chop_should_offer_completions_for_flags_or_options "chop" c' -s 'c' -d 'Run these commands (separated by \';\') and exit.' -rfka ''
complete -c 'chop' -n '__chop_should_offer_completions_for_flags_or_options "chop" f file' -s 'f' -l 'file' -d 'Run this script and exit.' -rF
complete -c 'chop' -n '__chop_should_offer_completions_for_flags_or_options "chop" e errexit' -s 'e' -l 'errexit' -d 'Stop a script at the first command where a host failed.'
complete -c 'chop' -n '__chop_should_offer_completions_for_flags_or_options "chop" q quiet' -s 'q' -l 'quiet' -d 'Batch mode: print results only, not each command.'
complete -c 'chop' -n '__chop_should_offer_completions_for_flags_or_options "chop" json' -l 'json' -d 'Print one JSON object per operation (same as \'set output json\').'
complete -c 'chop' -n '__chop_should_offer_completions_for_flags_or_options "chop" no-color' -l 'no-color' -d 'Never colour the output (NO_COLOR is honoured too).'
complete -c 'chop' -n '__chop_should_offer_completions_for_flags_or_options "chop" no-init' -l 'no-init' -d 'Do not read the defaults file ($XDG_CONFIG_HOME/chop/init.chop, default ~/.config/chop/init.chop).'
complete -c 'chop' -n '__chop_should_offer_completions_for_flags_or_options "chop" password-fd' -l 'password-fd' -d 'Read the sudo password (one line) from this file descriptor, for scripts.' -rfka ''
complete -c 'chop' -n '__chop_should_offer_completions_for_flags_or_options "chop" version' -l 'version' -d 'Show the version.'
complete -c 'chop' -n '__chop_should_offer_completions_for_flags_or_options "chop" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'chop' -n '__chop_should_offer_completions_for_positional "chop" -eq 2' -fa 'help' -d 'Show subcommand help information.'
complete -c 'chop' -n '__chop_should_offer_completions_for_flags_or_options "chop help" version' -l 'version' -d 'Show the version.'
