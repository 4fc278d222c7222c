-- Question: Which orders are still pending, and how long have they been waiting?
-- Description: Pending orders with their age in days, counted up to the latest order date in the data.
SELECT o.order_id,
       c.name AS customer,
       o.order_date,
       CAST(julianday((SELECT MAX(order_date) FROM orders)) - julianday(o.order_date) AS INTEGER) AS days_waiting
FROM orders AS o
JOIN customers AS c ON c.customer_id = o.customer_id
WHERE o.status = 'pending'
ORDER BY days_waiting DESC, o.order_id;
