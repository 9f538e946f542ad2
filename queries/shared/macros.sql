-- Shared SQL functions of the query files, defined (as temporary macros) on every cursor the runner
-- opens, so a rule written once serves every query. Not a catalog query (this folder is not scanned).

-- Personal data is masked in SQL, before anything leaves the database (README, Security):
-- a name keeps its first and last character (张*华; 2 characters → 张*, 1 → *), an ID number its
-- first 6 and last 4 (shorter ones are fully masked).
create or replace temp macro mask_name(name) as
    case
        when name is null then null
        when length(name) <= 1 then '*'
        when length(name) = 2 then left(name, 1) || '*'
        else left(name, 1) || repeat('*', length(name) - 2) || right(name, 1)
    end;

create or replace temp macro mask_id(id_number) as
    case
        when id_number is null then null
        when length(id_number) >= 15 then left(id_number, 6) || '********' || right(id_number, 4)
        else repeat('*', length(id_number))
    end;
