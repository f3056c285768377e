SELECT 'é€𝄞', x;
SELECT "ñ;" FROM t