SELECT 'open; string
;SELECT $$ body ; 
/* open comment ;