SELECT U&'d\0061t;a', U&"d;""a" UESCAPE '!';
SELECT B'101', X'1F';